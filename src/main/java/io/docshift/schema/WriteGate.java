package io.docshift.schema;

import io.docshift.coordination.AdvisoryLocks;
import io.docshift.coordination.AdvisoryLocks.Purpose;
import io.docshift.coordination.CoordinationConfig;
import io.docshift.db.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The write gate: every document write (client writes and migration batches alike) holds it shared for its
 * transaction and reads, under it, the active schema version and the open transition; a schema activation
 * holds it exclusive while it re-checks what was written since its scan and switches the version. So no
 * write validated against one version can commit after the next one became active.
 */
@ApplicationScoped
public class WriteGate {

    /** What a writer sees under the gate: the active schema version (0: none) and the open transition (0: none). */
    public record Seen(int activeVersion, long transitionId) {
    }

    @Inject
    AdvisoryLocks locks;
    @Inject
    DataSource dataSource;
    @Inject
    CoordinationConfig coordination;

    /** Enters the gate in the current (JTA) transaction. */
    public Seen enter() {
        return Jdbc.call(dataSource, this::enter);
    }

    /** Enters the gate in the transaction open on {@code c}. */
    public Seen enter(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select pg_advisory_xact_lock_shared(?, 0),"
                + " (select coalesce(active_version, 0) from docshift.schema_state),"
                + " (select coalesce(max(id), 0) from docshift.transition where state in " + TransitionState.OPEN_SQL + ")")) {
            p.setInt(1, locks.key(Purpose.SCHEMA_GATE));
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return new Seen(r.getInt(2), r.getLong(3));
            }
        }
    }

    /**
     * Closes the gate in the transaction open on {@code c}: waits for the writes in flight, holds off new ones
     * until the transaction ends. A holder that stops talking to the database (a paused pod) loses its session
     * after {@code stale-after}, and the gate opens again.
     */
    public void close(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select set_config('idle_in_transaction_session_timeout', ?, true), pg_advisory_xact_lock(?, 0)")) {
            p.setString(1, coordination.staleAfter().toMillis() + "ms");
            p.setInt(2, locks.key(Purpose.SCHEMA_GATE));
            p.execute();
        }
    }
}
