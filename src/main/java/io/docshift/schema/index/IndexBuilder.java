package io.docshift.schema.index;

import io.docshift.coordination.AdvisoryLocks;
import io.docshift.coordination.AdvisoryLocks.Purpose;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.TableRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.context.ManagedExecutor;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Builds declared indexes with {@code CREATE INDEX CONCURRENTLY} (writes go on meanwhile) and drops
 * removed ones with {@code DROP INDEX CONCURRENTLY}. Every pod runs it; a session advisory lock per index,
 * only ever tried, makes one pod do each build, and a build left behind by a dead pod (an INVALID index)
 * is dropped and redone. Builds run on an autocommit connection that holds no transaction, never inside
 * the schema push's transaction (F3).
 */
@ApplicationScoped
public class IndexBuilder {

    private static final Logger LOG = Logger.getLogger(IndexBuilder.class);
    private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = new com.fasterxml.jackson.databind.ObjectMapper();

    @Inject
    io.docshift.db.StorageConfig storage;
    @Inject
    DataSource dataSource;
    @Inject
    @io.quarkus.agroal.DataSource("background")
    DataSource background;
    @Inject
    AdvisoryLocks locks;
    @Inject
    TableRegistry tables;
    @Inject
    ManagedExecutor executor;

    private final AtomicBoolean working = new AtomicBoolean();
    @jakarta.inject.Inject
    io.docshift.coordination.SessionPinning pinning;

    /** Starts a pass now, in the background (after a schema push). */
    public void kick() {
        executor.runAsync(this::pass);
    }

    @Scheduled(every = "${docshift.schema.index-poll:2s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        pass();
    }

    private record Pending(String physical, String table, List<String> fields, String state) {
    }

    void pass() {
        if (!pinning.pinned() || !working.compareAndSet(false, true)) {
            return;
        }
        try {
            List<Pending> todo;
            try (Connection c = background.getConnection()) {
                todo = pending(c);
            }
            todo.forEach(this::handle);
        } catch (SQLException | RuntimeException e) {
            LOG.warnf("Index pass failed: %s", e.getMessage());
        } finally {
            working.set(false);
        }
    }

    /** Builds or drops one index if this pod gets its lock, on the connection that holds it (autocommit, no transaction: F3). */
    private void handle(Pending p) {
        locks.tryWithSessionLock(Purpose.INDEX_BUILD, p.physical().hashCode(), c -> {
            build(c, p);
            return true;
        });
    }

    private void build(Connection c, Pending p) throws SQLException {
        try {
            if (!p.state().equals(currentState(c, p.physical()))) {
                return;
            }
            if (p.state().equals("dropping")) {
                execute(c, "drop index concurrently if exists \"" + DocTable.DATA_SCHEMA + "\".\"" + p.physical() + "\"");
                update(c, "delete from docshift.doc_index where physical = ? and state = 'dropping'", p.physical());
                LOG.infof("Dropped index %s of table %s", p.physical(), p.table());
                return;
            }
            DocTable table = tables.getOrCreate(p.table());
            if (isInvalid(c, p.physical())) {
                execute(c, "drop index concurrently if exists \"" + DocTable.DATA_SCHEMA + "\".\"" + p.physical() + "\"");
            }
            long start = System.nanoTime();
            execute(c, IndexNames.createSql(p.physical(), table.sqlName(), p.fields()));
            if (storage.citus()) {
                requireOnEveryShard(c, table, p.physical());
            }
            update(c, "update docshift.doc_index set state = 'ready', ready_at = now(), error = null where physical = ? and state = 'building'", p.physical());
            LOG.infof("Built index %s on %s %s in %d ms", p.physical(), p.table(), p.fields(), (System.nanoTime() - start) / 1_000_000);
        } catch (SQLException e) {
            LOG.errorf("Building index %s failed: %s", p.physical(), e.getMessage());
            try (PreparedStatement u = c.prepareStatement("update docshift.doc_index set state = 'failed', error = ? where physical = ?")) {
                u.setString(1, e.getMessage());
                u.setString(2, p.physical());
                u.executeUpdate();
            }
        }
    }

    private static List<Pending> pending(Connection c) throws SQLException {
        List<Pending> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select physical, table_name, fields::text, state from docshift.doc_index"
                     + " where state in ('building', 'dropping') order by created_at")) {
            while (r.next()) {
                List<String> fields = new ArrayList<>();
                MAPPER.readTree(r.getString(3)).forEach(f -> fields.add(f.asText()));
                out.add(new Pending(r.getString(1), r.getString(2), fields, r.getString(4)));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    private static String currentState(Connection c, String physical) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select state from docshift.doc_index where physical = ?")) {
            p.setString(1, physical);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? r.getString(1) : null;
            }
        }
    }

    private static boolean isInvalid(Connection c, String physical) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select not i.indisvalid from pg_index i join pg_class x on x.oid = i.indexrelid"
                + " join pg_namespace n on n.oid = x.relnamespace where n.nspname = ? and x.relname = ?")) {
            p.setString(1, DocTable.DATA_SCHEMA);
            p.setString(2, physical);
            try (ResultSet r = p.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    /**
     * On Citus the index is built on each shard by the worker holding it, and the coordinator's copy says nothing
     * of theirs: every shard must hold a valid copy ({@code <physical>_<shard id>}) before the index is ready.
     */
    private static void requireOnEveryShard(Connection c, DocTable table, String physical) throws SQLException {
        // physical is made by IndexNames from validated names ([a-z0-9_]), so it is safe inside this literal
        try (PreparedStatement p = c.prepareStatement("select count(*) filter (where not x.success or x.result <> 't'), count(*)"
                + " from run_command_on_shards(?::regclass, $$select coalesce(bool_and(i.indisvalid), false) from pg_index i"
                + " join pg_class x on x.oid = i.indexrelid where i.indrelid = '%s'::regclass and x.relname ~ '^" + physical + "_[0-9]+$'$$) x")) {
            p.setString(1, table.sqlName());
            try (ResultSet r = p.executeQuery()) {
                r.next();
                if (r.getLong(1) > 0) {
                    throw new SQLException("index " + physical + " is missing or invalid on " + r.getLong(1) + " of " + r.getLong(2) + " shards");
                }
            }
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void update(Connection c, String sql, String physical) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setString(1, physical);
            p.executeUpdate();
        }
    }
}
