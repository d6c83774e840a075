package io.docshift.coordination;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;

/**
 * Pod-to-pod announcements over PostgreSQL LISTEN/NOTIFY on channel {@value #CHANNEL}. One dedicated
 * connection (outside the pool) listens and re-connects after failures; each payload is fired as a CDI
 * {@link Notification} event, and every (re)connection as the topic {@code connected}, so that listeners
 * re-read what they may have missed. Listeners must not rely on NOTIFY alone: every user also has a periodic
 * check.
 * <p>
 * The same connection beats this pod's {@link Heartbeat} every second, which is also its health check: a
 * connection that cannot run that statement within {@value #SOCKET_TIMEOUT_SECONDS} s (a dead peer, a
 * failed-over primary) is dropped and opened again.
 */
@ApplicationScoped
public class PgNotifications {

    public static final String CHANNEL = "docshift";
    static final int SOCKET_TIMEOUT_SECONDS = 10;
    private static final Logger LOG = Logger.getLogger(PgNotifications.class);

    /** A payload received on the channel: {@code topic} is the part before the first ':'. */
    public record Notification(String topic, String argument) {
    }

    @Inject
    Event<Notification> events;
    @Inject
    Heartbeat heartbeat;
    @ConfigProperty(name = "quarkus.datasource.jdbc.url")
    String url;
    @ConfigProperty(name = "quarkus.datasource.username")
    Optional<String> username;
    @ConfigProperty(name = "quarkus.datasource.password")
    Optional<String> password;
    /** The pool's per-connection settings (keepalives), applied to this connection too. */
    @ConfigProperty(name = "quarkus.datasource.jdbc.new-connection-sql")
    Optional<String> connectionSql;

    private volatile boolean running;
    private Thread thread;

    void start(@Observes StartupEvent ignored) {
        running = true;
        thread = new Thread(this::listen, "docshift-listen");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent ignored) {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** Sends {@code topic:argument} to every pod, this one included, when the current transaction commits. */
    public void publish(Connection c, String topic, String argument) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select pg_notify(?, ?)")) {
            p.setString(1, CHANNEL);
            p.setString(2, topic + ":" + argument);
            p.execute();
        }
    }

    private void listen() {
        while (running) {
            try (Connection c = connect()) {
                try (Statement s = c.createStatement()) {
                    s.execute("listen " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                heartbeat.beat(c);
                events.fire(new Notification("connected", ""));
                while (running) {
                    PGNotification[] received = pg.getNotifications((int) Heartbeat.INTERVAL.toMillis());
                    if (received != null) {
                        for (PGNotification n : received) {
                            dispatch(n.getParameter());
                        }
                    }
                    heartbeat.beat(c);
                }
            } catch (SQLException e) {
                if (running) {
                    LOG.warnf("Notification listener lost its connection (%s); reconnecting", e.getMessage());
                    pause();
                }
            } catch (RuntimeException e) {
                if (running) { // at shutdown the beans it calls may be gone already
                    LOG.error("Notification listener failed; restarting it", e);
                    pause();
                }
            }
        }
    }

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        username.ifPresent(u -> props.setProperty("user", u));
        props.setProperty("password", password.orElse(""));
        props.setProperty("tcpKeepAlive", "true");
        props.setProperty("socketTimeout", Integer.toString(SOCKET_TIMEOUT_SECONDS));
        props.setProperty("connectTimeout", "5");
        props.setProperty("ApplicationName", "docshift-listen");
        Connection c = DriverManager.getConnection(url, props);
        if (connectionSql.isPresent()) {
            try (Statement s = c.createStatement()) {
                s.execute(connectionSql.get());
            } catch (SQLException e) {
                c.close();
                throw e;
            }
        }
        return c;
    }

    private void dispatch(String payload) {
        int colon = payload.indexOf(':');
        Notification n = colon < 0 ? new Notification(payload, "") : new Notification(payload.substring(0, colon), payload.substring(colon + 1));
        try {
            events.fire(n);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Handling notification %s failed", payload);
        }
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
