package io.docshift.migration;

import java.sql.SQLException;

/**
 * What a failed statement of a run's batch means for the run, from its SQLSTATE class. A permanent error (bad
 * data, a constraint, a statement PostgreSQL refuses, an unsupported feature, an internal error) would fail the
 * same way on every retry, so the run fails naming it; a transient one (a serialization failure or deadlock,
 * the server out of resources) goes away by itself, so the batch is retried after a backoff; a lost connection
 * or a server shutting down ends the worker's hold on the run, which the next poll takes up again.
 */
enum SqlFailure {
    /** Every class not named below (22 data, 23 constraints, 42 syntax or access, 0A unsupported, XX internal, P0 raised...): the run fails, naming the error. */
    PERMANENT,
    /** Classes 40 (serialization failure, deadlock), 53 (out of resources) and 55 (object in use, lock not available): the same batch again after a backoff. */
    TRANSIENT,
    /** Classes 08 (connection) and 57 (operator intervention, shutdown): the connection is gone; let go of the run for the next poll. */
    CONNECTION;

    static SqlFailure of(SQLException e) {
        String state = e.getSQLState();
        String kind = state == null || state.length() < 2 ? "" : state.substring(0, 2);
        return switch (kind) {
            case "40", "53", "55" -> TRANSIENT;
            case "08", "57" -> CONNECTION;
            default -> PERMANENT;
        };
    }
}
