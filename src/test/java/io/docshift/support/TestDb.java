package io.docshift.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/** Looks at the test database directly, to check what the service really stored. */
public final class TestDb {

    /** The test database, user included: the one {@link TestDatabase} chose for this run. */
    public static final String URL = System.getProperty(TestDatabase.URL, "jdbc:postgresql://localhost:5432/test?user=postgres");
    private static final java.util.regex.Matcher PARTS = java.util.regex.Pattern.compile("^jdbc:postgresql://([^:/]+)(?::(\\d+))?/([^?]+).*$").matcher(URL);
    /** Where the test database is: its server's host and port, and its name. */
    public static final String HOST = PARTS.matches() ? PARTS.group(1) : "localhost";
    public static final String PORT = PARTS.matches() && PARTS.group(2) != null ? PARTS.group(2) : "5432";
    public static final String DATABASE = PARTS.matches() ? PARTS.group(3) : "test";

    /** The shared test database. */
    public static final Database SHARED = new Database(URL);

    private TestDb() {
    }

    /** The JDBC URL of another database on the test database's server (no user). */
    public static String serverUrl(String database) {
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + database;
    }

    /** A connection to the server's {@code postgres} database, to create and drop databases. */
    public static Connection connectAdmin() throws SQLException {
        return DriverManager.getConnection(serverUrl("postgres") + "?user=postgres");
    }

    public static Connection connect() throws SQLException {
        return DriverManager.getConnection(URL);
    }

    /** A table name no other test uses. */
    public static String freshTable(String prefix) {
        return prefix + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /** Documents stored in a logical table; 0 when the table does not exist. */
    public static long count(String table) {
        try (Connection c = connect();
             PreparedStatement p = c.prepareStatement("select number from docshift.doc_table where name = ?")) {
            p.setString(1, table);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    return 0;
                }
                try (ResultSet n = c.createStatement().executeQuery("select count(*) from docshift_data.doc_" + r.getInt(1))) {
                    n.next();
                    return n.getLong(1);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The physical table of a logical one. */
    public static String physical(String table) {
        return SHARED.physical(table);
    }

    /**
     * Loads {@code count} documents straight into an existing logical table, ids made the way the service makes
     * them; {@code bodySql} is a jsonb expression of {@code g} (1..count).
     */
    public static void bulkLoad(String table, int count, String bodySql) {
        SHARED.bulkLoad(table, count, bodySql);
    }

    /** {@link #bulkLoad}, stamped with schema version {@code version} (a document written behind the API's back). */
    public static void bulkLoad(String table, int count, String bodySql, int version) {
        SHARED.bulkLoad(table, count, bodySql, version);
    }

    /** The id (as clients see it) of the one document of {@code table} whose body matches {@code condition} (SQL over {@code data}). */
    public static String idWhere(String table, String condition) {
        try (Connection c = connect(); ResultSet r = c.createStatement().executeQuery("select docshift.id_text(id) from " + physical(table)
                + " where " + condition)) {
            if (!r.next()) {
                throw new IllegalStateException("no document of " + table + " where " + condition);
            }
            return r.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Up to {@code n} ids (as clients see them) of documents of a logical table, picked at random. */
    public static java.util.List<String> sampleIds(String table, int n) {
        return SHARED.sampleIds(table, n);
    }

    /** One number from SQL, e.g. a count. */
    public static long scalar(String sql) {
        return SHARED.scalar(sql);
    }

    /** Whether a logical table was ever created. */
    public static boolean tableExists(String table) {
        try (Connection c = connect();
             PreparedStatement p = c.prepareStatement("select 1 from docshift.doc_table where name = ?")) {
            p.setString(1, table);
            try (ResultSet r = p.executeQuery()) {
                return r.next();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
