package io.docshift.db;

import java.sql.SQLException;

/** An unchecked wrapper for a failed SQL statement; its cause carries the SQLState. */
public class DatabaseFailure extends RuntimeException {

    public DatabaseFailure(SQLException cause) {
        super(cause.getMessage(), cause);
    }
}
