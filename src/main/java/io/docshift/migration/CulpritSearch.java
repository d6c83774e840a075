package io.docshift.migration;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;

/**
 * After a declarative batch failed on bad data (a value that cannot convert), finds the document that broke
 * it by evaluating the steps on its documents one by one (F15). Runs outside the failed batch's transaction.
 */
final class CulpritSearch {

    private CulpritSearch() {
    }

    /** The first document of {@code slice} on which the steps fail, or null when none does alone. */
    static UUID find(Connection c, BatchSql sql, BatchSql.Slice slice) throws SQLException {
        for (UUID id : sql.ids(c, slice)) {
            try {
                sql.tryOne(c, id);
            } catch (SQLException e) {
                return id;
            }
        }
        return null;
    }
}
