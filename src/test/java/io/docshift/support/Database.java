package io.docshift.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A PostgreSQL database the service uses, looked at directly to check what it really stored: the shared test
 * database ({@link TestDb}) or a server of a test's own (a restart, a failover, a pooler in between).
 */
public final class Database {

    private final String url;

    public Database(String url) {
        this.url = url;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /** The physical table of a logical one. */
    public String physical(String table) {
        try (Connection c = connect();
             PreparedStatement p = c.prepareStatement("select number from docshift.doc_table where name = ?")) {
            p.setString(1, table);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    throw new IllegalStateException("no table " + table);
                }
                return "docshift_data.doc_" + r.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Loads {@code count} documents straight into an existing logical table, ids made the way the service makes
     * them; {@code bodySql} is a jsonb expression of {@code g} (1..count).
     */
    public void bulkLoad(String table, int count, String bodySql) {
        bulkLoad(table, count, bodySql, 0);
    }

    /**
     * {@link #bulkLoad}, the documents stamped with schema version {@code version}: written behind the API's back,
     * as an older build, or a bug, could have (tests inject failures this way).
     */
    public void bulkLoad(String table, int count, String bodySql, int version) {
        String physical = physical(table);
        String number = physical.substring(physical.lastIndexOf('_') + 1);
        try (Connection c = connect()) {
            c.createStatement().execute("insert into " + physical + " (id, creation_time, schema_version, revision, data)"
                    + " select (lpad(to_hex((t.ms << 16) | " + number + "), 16, '0') || lpad(to_hex(g), 16, '0'))::uuid, t.ms, " + version + ","
                    + " nextval('docshift.write_seq'), " + bodySql
                    + " from generate_series(1, " + count + ") g, (select (extract(epoch from clock_timestamp()) * 1000)::bigint as ms) t");
            analyze(c, physical);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * ANALYZE, again when it deadlocks with a concurrent index build of the table (CREATE INDEX CONCURRENTLY
     * waits for the ANALYZE's snapshot while the ANALYZE waits for the build's lock; PostgreSQL ends the ANALYZE).
     */
    private static void analyze(Connection c, String physical) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                c.createStatement().execute("analyze " + physical);
                return;
            } catch (SQLException e) {
                if (!"40P01".equals(e.getSQLState()) || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Up to {@code n} ids (as clients see them) of documents of a logical table, picked at random. */
    public java.util.List<String> sampleIds(String table, int n) {
        java.util.List<String> ids = new java.util.ArrayList<>();
        try (Connection c = connect();
             ResultSet r = c.createStatement().executeQuery("select docshift.id_text(id) from " + physical(table) + " order by random() limit " + n)) {
            while (r.next()) {
                ids.add(r.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return ids;
    }

    /** One number from SQL, e.g. a count. */
    public long scalar(String sql) {
        try (Connection c = connect(); ResultSet r = c.createStatement().executeQuery(sql)) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

}
