package io.docshift.support;

import io.docshift.localdb.LocalPostgres;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Map;

/**
 * Chooses the tests' PostgreSQL once per test JVM, before any test: the server that {@code docshift.test.jdbc-url}
 * (or {@code DOCSHIFT_TEST_JDBC_URL}) names, its database {@code test} with user {@code postgres}; otherwise a
 * fresh local PostgreSQL under {@code target/test-postgres}, made for this run and stopped at its end. Either way
 * it sets what the rest reads: {@code docshift.test.jdbc-url} ({@link TestDb}), {@code docshift.test.app-jdbc-url}
 * ({@link AppProcess}) and {@code quarkus.datasource.jdbc.url} (the {@code @QuarkusTest}s).
 */
public final class TestDatabase implements LauncherSessionListener {

    static final String URL = "docshift.test.jdbc-url";
    static final String APP_URL = "docshift.test.app-jdbc-url";
    private static LocalPostgres local;
    private static int sessions;

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        synchronized (TestDatabase.class) {
            sessions++;
        }
        if (System.getProperty(URL) != null && System.getProperty(APP_URL) != null) {
            return; // chosen already: this JVM opened a session before, or the command line names everything
        }
        String configured = System.getProperty(URL, System.getenv("DOCSHIFT_TEST_JDBC_URL"));
        if (configured == null) {
            configured = startLocal();
        }
        String appUrl = configured.replaceFirst("\\?.*$", "");
        System.setProperty(URL, configured);
        System.setProperty(APP_URL, System.getProperty(APP_URL, appUrl));
        if (System.getProperty("%test.quarkus.datasource.jdbc.url") == null) {
            System.setProperty("quarkus.datasource.jdbc.url", System.getProperty("quarkus.datasource.jdbc.url", appUrl));
        }
    }

    @Override
    public void launcherSessionClosed(LauncherSession session) {
        synchronized (TestDatabase.class) {
            if (--sessions == 0 && local != null) {
                try {
                    local.stop();
                } catch (Exception e) {
                    System.err.println("could not stop the tests' local PostgreSQL: " + e);
                }
                local = null;
            }
        }
    }

    private static synchronized String startLocal() {
        Path dir = Path.of("target", "test-postgres");
        try {
            LocalPostgres.delete(dir);
            // a disposable server: durability buys the tests nothing; room for several pods' pools at once
            local = LocalPostgres.start(dir, Map.of("fsync", "off", "synchronous_commit", "off", "full_page_writes", "off", "max_connections", "300"));
            try (Connection c = DriverManager.getConnection(local.jdbcUrl("postgres") + "?user=postgres")) {
                c.createStatement().execute("create database test");
            }
            System.out.println("[docshift tests] no docshift.test.jdbc-url given: a local PostgreSQL for this run at " + local.jdbcUrl("test"));
            return local.jdbcUrl("test") + "?user=postgres";
        } catch (Exception e) {
            throw new IllegalStateException("could not start the tests' local PostgreSQL in " + dir.toAbsolutePath()
                    + " (or name a server with -Ddocshift.test.jdbc-url=jdbc:postgresql://localhost:5432/test?user=postgres): " + e.getMessage(), e);
        }
    }
}
