package io.docshift.coordination;

import io.docshift.db.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The one owner of PostgreSQL advisory locks. Keys use the two-key form: the first is Docshift's namespace
 * ({@code docshift.coordination.lock-namespace}) plus a purpose, the second names the object, so they never
 * collide with another application's single-key locks (F16).
 * <p>
 * Rules that keep the lock traps of RELIABILITY.md away: session locks are only ever tried, never waited on
 * (a waiter inside a transaction can deadlock with CREATE INDEX CONCURRENTLY, F4); a session lock is
 * released in {@code finally} on the connection that took it (F2, F8); transaction locks end with their
 * transaction and are never held while an index is built (F3).
 */
@ApplicationScoped
public class AdvisoryLocks {

    /** What a lock protects; the ordinal offsets the namespace. */
    public enum Purpose {
        /** Writers hold it shared, a schema activation exclusive. */
        SCHEMA_GATE,
        /** One schema push at a time, across pods. */
        SCHEMA_PUSH,
        /** One builder per index. */
        INDEX_BUILD,
        /** One worker per migration run. */
        MIGRATION_RUN,
        /** One pod at a time advances the open schema transition. */
        TRANSITION
    }

    /** What a writer sees under the gate: the active schema version (0: none) and the open transition (0: none). */
    public record Gate(int activeVersion, long transitionId) {
    }

    @Inject
    CoordinationConfig config;
    @Inject
    DataSource dataSource;

    public int key(Purpose purpose) {
        return config.lockNamespace() + purpose.ordinal() + 1;
    }

    /** Tries a session-level lock on {@code c}; never waits. */
    public boolean trySession(Connection c, Purpose purpose, int object) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select pg_try_advisory_lock(?, ?)")) {
            p.setInt(1, key(purpose));
            p.setInt(2, object);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getBoolean(1);
            }
        }
    }

    /** Releases a session-level lock taken on {@code c}. */
    public void releaseSession(Connection c, Purpose purpose, int object) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select pg_advisory_unlock(?, ?)")) {
            p.setInt(1, key(purpose));
            p.setInt(2, object);
            p.execute();
        }
    }

    /**
     * Takes the schema gate for a document write, shared, in the current transaction, and returns the active
     * schema version and open transition as the database has them, read under the gate.
     */
    public Gate enterWriteGate() {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("select pg_advisory_xact_lock_shared(?, 0),"
                    + " (select coalesce(active_version, 0) from docshift.schema_state),"
                    + " (select coalesce(max(id), 0) from docshift.transition where state in ('migrating', 'verifying', 'failed'))")) {
                p.setInt(1, key(Purpose.SCHEMA_GATE));
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return new Gate(r.getInt(2), r.getLong(3));
                }
            }
        });
    }

    /** Takes the schema gate exclusively in the current transaction: waits for in-flight writes, holds off new ones. */
    public void closeWriteGate(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select pg_advisory_xact_lock(?, 0)")) {
            p.setInt(1, key(Purpose.SCHEMA_GATE));
            p.execute();
        }
    }
}
