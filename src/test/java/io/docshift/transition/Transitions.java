package io.docshift.transition;

import io.docshift.support.TestDb;

import java.sql.Connection;
import java.sql.SQLException;

/** Test support: leaves no transition open for the next test, whatever the last one left behind. */
final class Transitions {

    private Transitions() {
    }

    /** Cancels the runs of an open transition and marks it rolled back, directly in the database. */
    static void forceClose() {
        try (Connection c = TestDb.connect()) {
            c.createStatement().execute("update docshift.migration_run set state = 'cancelled', finished_at = now() where state in ('pending', 'running')"
                    + " and transition_id in (select id from docshift.transition where state in ('migrating', 'verifying', 'failed', 'rollingBack'))");
            c.createStatement().execute("update docshift.transition set state = 'rolledBack', finished_at = now()"
                    + " where state in ('migrating', 'verifying', 'failed', 'rollingBack')");
            c.createStatement().execute("select pg_notify('docshift', 'schema:closed')");
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
