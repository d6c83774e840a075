package io.docshift.auth;

import io.docshift.coordination.PgNotifications;
import io.docshift.coordination.PgNotifications.Notification;
import io.docshift.db.Jdbc;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dashboard sessions signed out of, shared by every pod: kept in docshift.revoked_session and in memory, so
 * that checking a cookie never waits for the database (it is checked on the event loop). A sign-out is known on
 * its own pod at once and on the others by NOTIFY; a reload every minute covers a notification missed.
 */
@ApplicationScoped
public class RevokedSessions {

    private static final Logger LOG = Logger.getLogger(RevokedSessions.class);
    private static final String TOPIC = "session-revoked";

    @Inject
    DataSource dataSource;
    @Inject
    PgNotifications notifications;

    /** Session id to the time its cookie expires anyway (epoch ms). */
    private final Map<String, Long> revoked = new ConcurrentHashMap<>();

    /** Whether the session {@code id} was signed out of. */
    public boolean isRevoked(String id) {
        return revoked.containsKey(id);
    }

    /** Ends the session {@code id} on every pod; {@code expires} is when its cookie would have expired (epoch ms). */
    public void revoke(String id, long expires) {
        revoked.put(id, expires);
        Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("insert into docshift.revoked_session (id, expires_at) values (?, ?) on conflict (id) do nothing")) {
                p.setString(1, id);
                p.setTimestamp(2, new Timestamp(expires));
                p.executeUpdate();
            }
            notifications.publish(c, TOPIC, id);
            return null;
        });
    }

    void onNotification(@Observes Notification n) {
        if (n.topic().equals(TOPIC)) {
            revoked.putIfAbsent(n.argument(), System.currentTimeMillis() + Sessions.LIFETIME.toMillis());
        } else if (n.topic().equals("connected")) {
            reload();
        }
    }

    @Scheduled(every = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void periodically() {
        reload();
    }

    private void reload() {
        try {
            Map<String, Long> current = Jdbc.call(dataSource, c -> {
                try (PreparedStatement purge = c.prepareStatement("delete from docshift.revoked_session where expires_at < now()")) {
                    purge.executeUpdate();
                }
                Map<String, Long> rows = new HashMap<>();
                try (PreparedStatement p = c.prepareStatement("select id, expires_at from docshift.revoked_session"); ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        rows.put(r.getString(1), r.getTimestamp(2).getTime());
                    }
                }
                return rows;
            });
            revoked.putAll(current);
            long now = System.currentTimeMillis();
            revoked.values().removeIf(expires -> expires < now);
        } catch (RuntimeException e) {
            LOG.warnf("Could not reload the revoked dashboard sessions: %s", e.getMessage());
        }
    }
}
