package io.docshift.schema;

import io.docshift.coordination.AdvisoryLocks;
import io.docshift.coordination.AdvisoryLocks.Purpose;
import io.docshift.coordination.CoordinationConfig;
import io.docshift.db.Jdbc;
import io.docshift.document.store.GateCheck;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Collection;

/**
 * The write gates, one per table: every document write (client writes and migration batches alike) holds its
 * table's gate shared for its transaction and reads, under it, the active schema version and the open
 * transition; a schema activation holds exclusive the gates of the tables it checks while it re-checks what
 * was written to them since its scan and switches the version. So no write validated against one version can
 * commit after the next one became active, and writes to other tables never wait for it.
 * <p>
 * A gate is keyed by the table's name, so a table that does not exist yet has one too. Entering waits at
 * most {@code docshift.schema.gate-timeout} (then 55P03: a 503 with Retry-After), never holding a connection
 * for the length of an activation.
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
    @Inject
    SchemaConfig config;

    /** Enters the gate of {@code table} in the current (JTA) transaction. */
    public Seen enter(String table) {
        return Jdbc.call(dataSource, c -> enter(c, table));
    }

    /** Enters the gate of {@code table} in the transaction open on {@code c}. */
    public Seen enter(Connection c, String table) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select active_version, transition_id from docshift.enter_gate(?, ?, ?)")) {
            p.setInt(1, locks.key(Purpose.SCHEMA_GATE));
            p.setInt(2, key(table));
            p.setInt(3, waitMillis());
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return new Seen(r.getInt(1), r.getLong(2));
            }
        }
    }

    /** The gate check of a write to {@code table} validated against {@code schema}, for the write's own statement. */
    public GateCheck check(String table, ActiveSchema.Snapshot schema) {
        return new GateCheck(locks.key(Purpose.SCHEMA_GATE), key(table), waitMillis(), schema.version(), schema.transitionId());
    }

    /**
     * Closes the gates of {@code tables} in the transaction open on {@code c}: waits for the writes to them in
     * flight, holds off new ones until the transaction ends. Gates are taken in key order, so two closers never
     * deadlock. A holder that stops talking to the database (a paused pod) loses its session after
     * {@code stale-after}, and the gates open again.
     */
    public void close(Connection c, Collection<String> tables) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select set_config('idle_in_transaction_session_timeout', ?, true)")) {
            p.setString(1, coordination.staleAfter().toMillis() + "ms");
            p.execute();
        }
        int[] keys = tables.stream().mapToInt(WriteGate::key).distinct().sorted().toArray();
        try (PreparedStatement p = c.prepareStatement("select pg_advisory_xact_lock(?, k) from unnest(?::int[]) k")) {
            p.setInt(1, locks.key(Purpose.SCHEMA_GATE));
            p.setArray(2, c.createArrayOf("int4", java.util.Arrays.stream(keys).boxed().toArray()));
            p.executeQuery().close();
        }
    }

    /** A table's gate key: its name's hash (a collision only makes two tables share a gate). */
    static int key(String table) {
        return table.hashCode();
    }

    private int waitMillis() {
        return (int) Math.min(Integer.MAX_VALUE, config.gateTimeout().toMillis());
    }
}
