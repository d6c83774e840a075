package io.docshift.db;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Runs JDBC work on a pooled connection (the one enlisted in the current transaction, if any) and turns
 * {@link SQLException} into the unchecked {@link DatabaseFailure}, so that {@code @Transactional} rolls back
 * on it and the error mapper can read its SQLState.
 */
public final class Jdbc {

    /** Work on one connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private Jdbc() {
    }

    public static <T> T call(DataSource dataSource, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new DatabaseFailure(e);
        }
    }
}
