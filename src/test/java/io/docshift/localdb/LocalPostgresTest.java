package io.docshift.localdb;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The local PostgreSQL a bare machine's dev mode and tests run on, whatever database this run's tests use: it
 * starts from Maven Central's binaries (as root too, through another user), keeps its data across a stop and a
 * start as dev mode does, and a second start on a running server joins it instead of failing.
 */
class LocalPostgresTest {

    @Test
    void keepsItsDataAcrossRestartsAndJoinsARunningServer() throws Exception {
        Path dir = Path.of("target", "local-postgres-test");
        LocalPostgres.delete(dir);
        LocalPostgres first = LocalPostgres.start(dir, Map.of());
        try {
            assertTrue(scalar(first, "show server_version").startsWith("17."), "a current major");
            assertEquals("UTF8", scalar(first, "show server_encoding"));
            execute(first, "create table kept (v text); insert into kept values ('customers')");
            LocalPostgres joined = LocalPostgres.start(dir, Map.of());
            assertEquals(first.port(), joined.port(), "a second start joins the running server");
        } finally {
            first.stop();
        }
        LocalPostgres again = LocalPostgres.start(dir, Map.of());
        try {
            assertEquals("customers", scalar(again, "select v from kept"), "the data outlived the stop");
        } finally {
            again.stop();
        }
    }

    private static String scalar(LocalPostgres server, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl("postgres") + "?user=postgres");
             ResultSet r = c.createStatement().executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    private static void execute(LocalPostgres server, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(server.jdbcUrl("postgres") + "?user=postgres")) {
            c.createStatement().execute(sql);
        }
    }
}
