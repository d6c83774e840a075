package io.docshift.document.store;

import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * A write's pass through its table's write gate, folded into the write statement itself so that the write
 * takes one round trip: {@code docshift.enter_gate} takes the gate (shared, waiting at most {@code waitMillis})
 * and the statement writes only if the active version and the open transition are still those the body was
 * validated against. A write that finds them changed writes nothing, and its caller takes the slow path.
 */
public record GateCheck(int gate, int table, int waitMillis, int version, long transition) {

    /** The gate as a relation {@code g} of one row, for a FROM clause. */
    static final String FROM = "docshift.enter_gate(?, ?, ?) g";
    /** The condition on {@code g}: nothing changed since validation. */
    static final String UNCHANGED = "g.active_version = ? and g.transition_id = ?";

    int bindFrom(PreparedStatement p, int i) throws SQLException {
        p.setInt(i, gate);
        p.setInt(i + 1, table);
        p.setInt(i + 2, waitMillis);
        return i + 3;
    }

    int bindUnchanged(PreparedStatement p, int i) throws SQLException {
        p.setInt(i, version);
        p.setLong(i + 1, transition);
        return i + 2;
    }
}
