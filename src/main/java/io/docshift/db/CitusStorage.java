package io.docshift.db;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Checks at start that the database is what {@code docshift.storage.distribution} says, and refuses to start
 * with one line saying what differs. With {@code citus} it also distributes the migration backups by document
 * id ({@code docshift.migration_backup}, the anchor every document table is co-located with), so a rollback
 * joins a document to its backup on the worker that holds both.
 */
@ApplicationScoped
public class CitusStorage {

    private static final Logger LOG = Logger.getLogger(CitusStorage.class);
    /** The table every distributed document table is co-located with. */
    public static final String ANCHOR = "docshift.migration_backup";

    @Inject
    StorageConfig config;
    @Inject
    DataSource dataSource;

    /** After Flyway, before anything reads or writes documents. */
    void onStart(@Observes @jakarta.annotation.Priority(50) StartupEvent ignored) {
        String mismatch = Jdbc.call(dataSource, this::prepare);
        if (mismatch != null) {
            LOG.error(mismatch);
            throw new IllegalStateException(mismatch);
        }
    }

    /** The line saying how the database differs from the setting, or null when it matches (and, on Citus, is laid out). */
    private String prepare(Connection c) throws SQLException {
        String version = scalar(c, "select extversion from pg_extension where extname = 'citus'");
        if (!config.citus()) {
            long distributed = version == null ? 0 : Long.parseLong(scalar(c, "select count(*) from pg_dist_partition p join pg_class t"
                    + " on t.oid = p.logicalrelid join pg_namespace n on n.oid = t.relnamespace where n.nspname = 'docshift_data'"));
            return distributed == 0 ? null : "Refusing to start: " + distributed + " document table(s) are Citus distributed tables, but"
                    + " docshift.storage.distribution is none; set DOCSHIFT_STORAGE_DISTRIBUTION=citus";
        }
        if (version == null) {
            return "Refusing to start: docshift.storage.distribution is citus, but the database has no citus extension"
                    + " (create extension citus on the coordinator and every worker, or set DOCSHIFT_STORAGE_DISTRIBUTION=none)";
        }
        long workers = Long.parseLong(scalar(c, "select count(*) from pg_dist_node where noderole = 'primary' and isactive and groupid <> 0"));
        if (workers == 0) {
            return "Refusing to start: docshift.storage.distribution is citus, but the Citus coordinator has no active worker"
                    + " (add one with select citus_add_node('host', port))";
        }
        distributeBackups(c);
        String local = scalar(c, "select string_agg(t.relname, ', ' order by t.relname) from pg_class t join pg_namespace n on n.oid = t.relnamespace"
                + " where n.nspname = 'docshift_data' and t.relkind = 'r' and t.relname ~ '^doc_[0-9]+$'"
                + " and not exists (select 1 from pg_dist_partition p where p.logicalrelid = t.oid)");
        if (local != null) {
            return "Refusing to start: docshift.storage.distribution is citus, but document table(s) " + local + " are not distributed"
                    + " (distribute them as docs/operations/scale-out-on-citus.md says)";
        }
        LOG.infof("Document tables are Citus %s distributed tables over %d worker(s)", version, workers);
        return null;
    }

    /** Distributes the backups table once, in a transaction of its own that locks it against another pod doing the same. */
    private static void distributeBackups(Connection c) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
            s.execute("lock table " + ANCHOR + " in access exclusive mode");
            if (scalar(c, "select 1 from pg_dist_partition where logicalrelid = '" + ANCHOR + "'::regclass") == null) {
                // a distributed table cannot reference a local one: runs stay on the coordinator, their backups on the workers
                s.execute("alter table " + ANCHOR + " drop constraint if exists migration_backup_run_id_fkey");
                s.execute("select create_distributed_table('" + ANCHOR + "', 'doc_id')");
                LOG.info("Distributed " + ANCHOR + " by document id");
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(autoCommit);
        }
    }

    private static String scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
            return r.next() ? r.getString(1) : null;
        }
    }
}
