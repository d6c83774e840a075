package io.docshift.document.store;

import io.docshift.db.Jdbc;
import io.docshift.error.InvalidRequest;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Knows which logical tables exist and creates them on first insert, as Convex does. Tables are never
 * dropped, so a table once seen is cached for the life of the process.
 */
@ApplicationScoped
public class TableRegistry {

    private final Map<String, DocTable> cache = new ConcurrentHashMap<>();

    @Inject
    DataSource dataSource;
    @Inject
    io.docshift.db.StorageConfig storage;

    /** The table, if any document was ever inserted into it. */
    public Optional<DocTable> find(String name) {
        DocTable known = cache.get(name);
        if (known != null) {
            return Optional.of(known);
        }
        Optional<DocTable> found = Jdbc.call(dataSource, c -> select(c, name));
        found.ifPresent(t -> cache.put(name, t));
        return found;
    }

    /**
     * The number registered for {@code name}: its table's, or the one an open import reserved for it (read, never
     * cached: a reservation may be released).
     */
    public Optional<Integer> registeredNumber(String name) {
        return Jdbc.call(dataSource, c -> registered(c, name));
    }

    /**
     * Reserves a number for {@code name} without creating its table (an import's ids embed it before the import
     * commits): {@code preferred} when it is not 0 and free, otherwise the next. Returns the number registered for
     * the name, which is the table's own when the table exists or was reserved already.
     */
    public int reserve(String name, int preferred) {
        return QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> register(c, name, preferred, false)));
    }

    /** Deletes {@code name}'s reservation; a table that was created is never touched. */
    public void release(String name) {
        Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("delete from docshift.doc_table where name = ? and not created")) {
                p.setString(1, name);
                return p.executeUpdate();
            }
        });
    }

    /**
     * The table, created in {@code c}'s transaction if it is new (taking its reserved number, else
     * {@code preferred} when free): it exists for others once that transaction commits, and disappears with it
     * if it rolls back.
     */
    public DocTable create(Connection c, String name, int preferred) throws SQLException {
        return createTable(c, name, preferred);
    }

    /** The table, created (registry row and physical table, committed on their own) if it is new. */
    public DocTable getOrCreate(String name) {
        return getOrCreate(name, 0);
    }

    /**
     * The table, created if it is new, with the number {@code preferred} when it is not 0 and still free (an
     * import keeps the ids of an export only when the table has the number they embed).
     */
    public DocTable getOrCreate(String name, int preferred) {
        return find(name).orElseGet(() -> {
            DocTable created = QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> createTable(c, name, preferred)));
            cache.put(name, created);
            return created;
        });
    }

    /** Every table, by name. */
    public List<DocTable> all() {
        return Jdbc.call(dataSource, c -> {
            List<DocTable> out = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("select number, name from docshift.doc_table where created order by name")) {
                while (r.next()) {
                    out.add(new DocTable(r.getInt(1), r.getString(2)));
                }
            }
            return out;
        });
    }

    /** A table and how many documents it holds. */
    public record TableSummary(DocTable table, long documents) {
    }

    /** Every table with its document count: exact below {@code exactBelow} rows, the planner's estimate above. */
    public List<TableSummary> summaries(long exactBelow) {
        List<TableSummary> estimated = Jdbc.call(dataSource, c -> {
            List<TableSummary> out = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("select t.number, t.name, " + estimate("'" + DocTable.DATA_SCHEMA + ".doc_' || t.number", storage.citus())
                         + " from docshift.doc_table t where t.created order by t.name")) {
                while (r.next()) {
                    out.add(new TableSummary(new DocTable(r.getInt(1), r.getString(2)), r.getLong(3)));
                }
            }
            return out;
        });
        return estimated.stream()
                .map(t -> t.documents() >= exactBelow ? t : new TableSummary(t.table(), exactCount(t.table())))
                .toList();
    }

    /** Whether a table exists and holds at least one document. */
    public boolean hasDocuments(String name) {
        return find(name).map(t -> Jdbc.call(dataSource, c -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select exists (select 1 from " + t.sqlName() + ")")) {
                r.next();
                return r.getBoolean(1);
            }
        })).orElse(false);
    }

    /** The documents of one table: exact below {@code exactBelow} rows, the planner's estimate above. */
    public long documents(DocTable table, long exactBelow) {
        return Jdbc.call(dataSource, c -> documents(c, table, exactBelow, storage.citus()));
    }

    /**
     * The planner's row estimate of the table named by the SQL text {@code name}, -1 when it has none. A Citus
     * table's rows are in its shards on the workers (the coordinator's table is an empty shell): the sum of theirs.
     */
    private static String estimate(String name, boolean citus) {
        return citus
                ? "coalesce((select case when bool_and(x.result::float8 < 0) then -1 else sum(greatest(x.result::float8, 0)) end"
                + " from run_command_on_shards(to_regclass(" + name + "), $$select reltuples from pg_class where oid = '%s'::regclass$$) x"
                + " where x.success), -1)::bigint"
                : "coalesce((select reltuples from pg_class where oid = to_regclass(" + name + ")), -1)::bigint";
    }

    /** As {@link #documents(DocTable, long)}, on {@code c} (in its transaction, if one is open). */
    public static long documents(Connection c, DocTable table, long exactBelow, boolean citus) throws SQLException {
        long estimate;
        try (PreparedStatement p = c.prepareStatement("select " + estimate("?", citus))) {
            p.setString(1, DocTable.DATA_SCHEMA + ".doc_" + table.number());
            try (ResultSet r = p.executeQuery()) {
                r.next();
                estimate = r.getLong(1);
            }
        }
        if (estimate >= exactBelow) {
            return estimate;
        }
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select count(*) from " + table.sqlName())) {
            r.next();
            return r.getLong(1);
        }
    }

    private long exactCount(DocTable table) {
        return Jdbc.call(dataSource, c -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select count(*) from " + table.sqlName())) {
                r.next();
                return r.getLong(1);
            }
        });
    }

    private DocTable createTable(Connection c, String name, int preferred) throws SQLException {
        boolean citus = storage.citus();
        DocTable table = new DocTable(register(c, name, preferred, true), name);
        try (Statement s = c.createStatement()) {
            s.execute("create table if not exists " + table.sqlName() + " ("
                    + "id uuid primary key, "
                    + "creation_time bigint not null, "
                    + "schema_version int not null default 0, "
                    + "revision bigint not null, "
                    + "data jsonb not null)");
            // what a schema activation re-checks under the closed gate is what was written since its mark
            s.execute("create index if not exists \"doc_" + table.number() + "_revision\" on " + table.sqlName()
                    + " (revision)");
            // the name matched ^[A-Za-z][A-Za-z0-9_]*$, so it is safe inside this literal
            s.execute("comment on table " + table.sqlName() + " is 'Docshift table " + name + "'");
        }
        if (citus) {
            // sharded by document id on the workers, each shard beside the backups of the same documents; once only,
            // when two pods create the table at once
            try (PreparedStatement p = c.prepareStatement("select create_distributed_table(?, 'id', colocate_with => '"
                    + io.docshift.db.CitusStorage.ANCHOR + "') where not exists (select 1 from pg_dist_partition where logicalrelid = ?::regclass)")) {
                p.setString(1, table.sqlName());
                p.setString(2, table.sqlName());
                p.executeQuery().close();
            }
        }
        return table;
    }

    /**
     * Registers {@code name} (created or only reserved) and returns its number: the one registered already (a
     * creation takes over a reservation, and the row lock it takes orders it against a release), otherwise
     * {@code preferred} when it is not 0 and free, otherwise the next.
     */
    private static int register(Connection c, String name, int preferred, boolean created) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(created
                ? "update docshift.doc_table set created = true where name = ? returning number"
                : "select number from docshift.doc_table where name = ?")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                if (r.next()) {
                    return r.getInt(1);
                }
            }
        }
        boolean free = preferred > 0 && preferred <= 65535 && !numberTaken(c, preferred);
        try (PreparedStatement p = c.prepareStatement(free
                ? "insert into docshift.doc_table (number, name, created) values (?, ?, ?) on conflict do nothing returning number"
                : "insert into docshift.doc_table (name, created) values (?, ?) on conflict (name) do nothing returning number")) {
            int i = 1;
            if (free) {
                p.setInt(i++, preferred);
            }
            p.setString(i++, name);
            p.setBoolean(i, created);
            int number;
            try (ResultSet r = p.executeQuery()) {
                number = r.next() ? r.getInt(1) : registered(c, name).orElseThrow();
            }
            if (free) {
                // numbers handed out later must not run into the one chosen here
                try (Statement s = c.createStatement()) {
                    s.execute("select setval(pg_get_serial_sequence('docshift.doc_table', 'number'), (select max(number) from docshift.doc_table))");
                }
            }
            return number;
        } catch (SQLException e) {
            if ("2200H".equals(e.getSQLState())) { // sequence exhausted
                throw InvalidRequest.at("table", "this deployment already holds the maximum of 65535 tables");
            }
            throw e;
        }
    }

    private static boolean numberTaken(Connection c, int number) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select 1 from docshift.doc_table where number = ?")) {
            p.setInt(1, number);
            try (ResultSet r = p.executeQuery()) {
                return r.next();
            }
        }
    }

    private static Optional<Integer> registered(Connection c, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select number from docshift.doc_table where name = ?")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(r.getInt(1)) : Optional.empty();
            }
        }
    }

    private static Optional<DocTable> select(Connection c, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select number from docshift.doc_table where name = ? and created")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(new DocTable(r.getInt(1), name)) : Optional.empty();
            }
        }
    }
}
