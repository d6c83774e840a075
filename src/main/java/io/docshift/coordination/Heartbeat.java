package io.docshift.coordination;

import io.docshift.db.Jdbc;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * This pod's heartbeat in {@code docshift.worker}. It beats once at startup, before the pod takes any lock, then
 * about once a second from the notification listener's own connection and thread ({@link PgNotifications}),
 * so it depends neither on the request pool nor on migration batches committing: a pod stops beating only when
 * it is paused, cut off from the database, or gone. Lock holders whose pod stopped beating lose their locks
 * ({@link AdvisoryLocks}).
 */
@ApplicationScoped
public class Heartbeat {

    private static final Logger LOG = Logger.getLogger(Heartbeat.class);
    /** How often the listener beats. */
    static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Duration FORGET_AFTER = Duration.ofDays(1);
    /** How long a pod that stopped beating stays listed (as not alive) before views leave it out. */
    static final Duration LISTED_FOR = Duration.ofMinutes(10);

    @Inject
    WorkerIdentity worker;
    @Inject
    DataSource dataSource;
    @Inject
    CoordinationConfig coordination;

    private long beats;

    /** Before any startup work that takes a session lock (bundled migrations and schema). */
    void onStart(@Observes @Priority(50) StartupEvent ignored) {
        try (Connection c = dataSource.getConnection()) {
            beat(c);
        } catch (SQLException e) {
            LOG.warnf("Could not record this pod's first heartbeat: %s", e.getMessage());
        }
    }

    /** A pod as its heartbeats show it. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "Pod")
    public record Pod(String id, OffsetDateTime startedAt, OffsetDateTime heartbeatAt, boolean alive) {
    }

    /**
     * The pods that beat within {@link #LISTED_FOR}, the most recent first; alive: within stale-after, the bound past
     * which other pods take its locks. Both are judged by the database's clock, the one the heartbeats were written with.
     */
    public List<Pod> pods() {
        return Jdbc.call(dataSource, c -> {
            List<Pod> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("select id, started_at, heartbeat_at, heartbeat_at > now() - ? * interval '1 millisecond'"
                    + " from docshift.worker where heartbeat_at > now() - ? * interval '1 second' order by heartbeat_at desc")) {
                p.setLong(1, coordination.staleAfter().toMillis());
                p.setLong(2, LISTED_FOR.toSeconds());
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(new Pod(r.getString(1), r.getObject(2, OffsetDateTime.class), r.getObject(3, OffsetDateTime.class), r.getBoolean(4)));
                    }
                }
            }
            return out;
        });
    }

    /** Records, on {@code c} (autocommit), that this pod is alive; now and then forgets pods gone for a day. */
    public void beat(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("insert into docshift.worker (id) values (?)"
                + " on conflict (id) do update set heartbeat_at = now()")) {
            p.setString(1, worker.id());
            p.executeUpdate();
        }
        if (beats++ % 3600 == 0) {
            try (PreparedStatement p = c.prepareStatement("delete from docshift.worker where heartbeat_at < now() - ? * interval '1 second'")) {
                p.setLong(1, FORGET_AFTER.toSeconds());
                p.executeUpdate();
            }
        }
    }
}
