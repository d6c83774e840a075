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

    /**
     * Work that may fail without spoiling the transaction open on {@code c}: inside a savepoint, rolled back to
     * on failure. On a connection in autocommit the statement is its own transaction already.
     */
    public static <T> T contained(Connection c, Work<T> work) throws SQLException {
        if (c.getAutoCommit()) {
            return work.run(c);
        }
        java.sql.Savepoint savepoint = c.setSavepoint();
        try {
            T result = work.run(c);
            c.releaseSavepoint(savepoint);
            return result;
        } catch (SQLException | RuntimeException e) {
            c.rollback(savepoint);
            throw e;
        }
    }

    public static <T> T call(DataSource dataSource, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new DatabaseFailure(e);
        }
    }
}
