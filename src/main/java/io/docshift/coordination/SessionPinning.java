package io.docshift.coordination;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import io.smallrye.health.api.Wellness;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Detects a transaction-pooling proxy (PgBouncer in transaction mode) between Docshift and PostgreSQL (F2).
 * Behind one, consecutive statements on one connection may run on different backends, so a session advisory
 * lock can be taken on one backend and "released" on another, and stay held. Document reads and writes are
 * unaffected (their locks are transaction-scoped), so the pod keeps serving them; but it then works on no
 * migration run, builds no index, advances no transition and refuses schema pushes (409), and says why in
 * its log and in {@code /q/health/well}.
 */
@ApplicationScoped
public class SessionPinning {

    private static final Logger LOG = Logger.getLogger(SessionPinning.class);
    static final int PROBES = 4;

    @Inject
    DataSource dataSource;

    private volatile boolean pinned = true;

    /** Before the bundled migrations and schema are applied, which take session locks. */
    void onStart(@Observes @jakarta.annotation.Priority(100) StartupEvent ignored) {
        try (Connection c = dataSource.getConnection(); Connection other = dataSource.getConnection()) {
            pinned = check(c) && check(c, other);
        } catch (SQLException e) {
            LOG.warnf("Could not check that connections are pinned to one backend: %s", e.getMessage());
        }
        if (!pinned) {
            LOG.error("Connections are not pinned to one PostgreSQL backend: a transaction-pooling proxy (PgBouncer in transaction mode?)"
                    + " sits in between. Session advisory locks cannot work there, so this pod runs no migration, builds no index and"
                    + " refuses schema pushes. Connect Docshift directly to PostgreSQL, or through session pooling.");
        }
    }

    /** Whether statements on {@code c} in autocommit keep running on one backend. */
    public static boolean check(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(true);
        try {
            int first = -1;
            for (int i = 0; i < PROBES; i++) {
                try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select pg_backend_pid()")) {
                    r.next();
                    int pid = r.getInt(1);
                    if (first >= 0 && pid != first) {
                        return false;
                    }
                    first = pid;
                }
            }
            return true;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    /**
     * Whether {@code c} keeps its backend while {@code other} holds a transaction open: behind a quiet
     * transaction pooler, consecutive statements of one client often land on the same idle server connection,
     * but not when another client holds that one meanwhile.
     */
    public static boolean check(Connection c, Connection other) throws SQLException {
        boolean autoCommit = other.getAutoCommit();
        try {
            int before = backend(c);
            other.setAutoCommit(false);
            backend(other);
            int after = backend(c);
            return before == after;
        } finally {
            other.rollback();
            other.setAutoCommit(autoCommit);
        }
    }

    private static int backend(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select pg_backend_pid()")) {
            r.next();
            return r.getInt(1);
        }
    }

    /** Whether session advisory locks can be trusted on this pod. */
    public boolean pinned() {
        return pinned;
    }

    /** Reports it in {@code /q/health/well}: informative, never a reason to restart the pod or take it out of service. */
    @Wellness
    @ApplicationScoped
    static class Health implements HealthCheck {

        @Inject
        SessionPinning pinning;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("docshift-session-locks").status(pinning.pinned())
                    .withData("detail", pinning.pinned() ? "connections are pinned to one backend"
                            : "a transaction-pooling proxy breaks session locks: migrations, index builds and schema pushes are off")
                    .build();
        }
    }
}
