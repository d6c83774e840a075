package io.docshift.migration;

import io.docshift.document.store.DocTable;
import io.docshift.migration.step.StepSql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The SQL of one migration over one table. Batches are keyset slices of the primary key; the declarative
 * update is one statement over the slice's key range that computes each new body in a scalar subquery over
 * the row itself. It never joins the table to itself: such a join over a parameterized range was planned
 * as a nested loop comparing every pair of rows, or as a hash join over the whole table.
 */
final class BatchSql {

    private static final String RETURNING = " returning u.id, u.data::text";
    private static final String REVISION = "nextval('docshift.write_seq')";

    /** A keyset slice: the ids after {@code after} up to and including {@code last}, {@code size} of them. */
    record Slice(java.util.UUID after, java.util.UUID last, int size) {
    }

    private final DocTable table;
    private final StepSql.Fragment chain;
    private final String idText;
    private final String nextSlice;
    private final String firstSlice;
    private final String update;
    /** The update returning each changed row's id and body, for a table whose schema they must fit. */
    private final String updateChecked;
    private final List<Object> filterParams;
    private final RunKind kind;
    private final StepSql.Fragment inverseChain;
    /** A plain run's {@code where}, in SQL: its slices hold only the documents it selects (through an index where one fits). */
    private final StepSql.Fragment where;
    /** The update before any CTE wraps it, and the filter that picks the rows it changes (for the Citus forms). */
    private final String bareUpdate;
    private final String filter;
    private final String newBody;
    private final String narrow;
    /** Whether the table is a Citus distributed table: batches then take the forms {@link #applyDistributed} describes. */
    private final boolean citus;

    BatchSql(DocTable table, List<io.docshift.migration.step.Step> steps, StepSql.Fragment chain, boolean needsIdText) {
        this(table, steps, chain, needsIdText, RunKind.plain(0), null);
    }

    BatchSql(DocTable table, List<io.docshift.migration.step.Step> steps, StepSql.Fragment chain, boolean needsIdText, RunKind kind) {
        this(table, steps, chain, needsIdText, kind, null);
    }

    /**
     * {@code where} (null: none) narrows the slices of a plain run, when PostgreSQL can evaluate it; a sweep walks
     * every document below its version whatever it selects, and a rollback every document its run changed.
     */
    BatchSql(DocTable table, List<io.docshift.migration.step.Step> steps, StepSql.Fragment chain, boolean needsIdText, RunKind kind,
             io.docshift.migration.cel.CelExpression where) {
        this(table, steps, chain, needsIdText, kind, where, false);
    }

    /**
     * {@code citus}: the table is a Citus distributed table; batches then take the forms {@link #applyDistributed}
     * describes, and {@code chain} must have been built for it ({@link StepSql#chain(List, java.util.Map, boolean)}).
     */
    BatchSql(DocTable table, List<io.docshift.migration.step.Step> steps, StepSql.Fragment chain, boolean needsIdText, RunKind kind,
             io.docshift.migration.cel.CelExpression where, boolean citus) {
        this.table = table;
        this.citus = citus;
        this.kind = kind;
        this.where = where == null || chain == null || kind.sweep() || kind.rollback() ? null
                : io.docshift.migration.cel.CelSql.condition(where, "data").orElse(null);
        String narrow = this.where == null ? "" : " and " + this.where.sql();
        this.narrow = narrow;
        this.inverseChain = kind.rollback() && !kind.inverse().isEmpty() ? StepSql.chain(kind.inverse(), java.util.Map.of(), citus) : null;
        this.chain = chain;
        String t = table.sqlName();
        // the id as clients see it, computed only for steps that compare it (countRelated); "offset 0" keeps the
        // planner from folding it into the count's subquery, where it would be computed again for every row counted
        this.idText = needsIdText ? " cross join lateral (select docshift.id_text(t.id) as idtext offset 0) b" : "";
        // one step: its expression over the row itself (same parameters as the chain); more: a subquery over the chain
        java.util.Optional<StepSql.Fragment> single = chain == null ? java.util.Optional.empty() : StepSql.single(steps, "u.data", citus);
        this.newBody = chain == null ? null : single.isPresent() ? "(" + single.get().sql() + ")"
                : "(select s" + chain.stages() + ".d from (select u.data as d) s0"
                + (needsIdText ? " cross join lateral (select docshift.id_text(u.id) as idtext offset 0) b" : "") + chain.sql() + ")";
        String newBody = this.newBody;
        this.nextSlice = "with s as (select id from " + t + " where id > ?" + narrow + " order by id limit ?)"
                + " select (select count(*) from s), (select id from s order by id desc limit 1)";
        this.firstSlice = "with s as (select id from " + t + " where true" + narrow + " order by id limit ?)"
                + " select (select count(*) from s), (select id from s order by id desc limit 1)";
        // both sides bounded by the slice's key range, so each batch stays on the primary-key index
        // which rows change: a cheap predicate where the step has one, else comparing the new body
        // a sweep migrates every document below its target version, changed or not, and stamps the version
        java.util.Optional<StepSql.Fragment> shortcut = chain == null || kind.sweep() ? java.util.Optional.empty() : StepSql.changes(steps, "u.data");
        this.filterParams = kind.sweep() ? List.of() : shortcut.map(StepSql.Fragment::params).orElse(chain == null ? List.of() : chain.params());
        this.filter = kind.sweep() ? "u.schema_version < " + kind.targetVersion()
                : shortcut.map(StepSql.Fragment::sql).orElse("u.data is distinct from " + newBody);
        String update = chain == null ? null
                : "update " + t + " u set data = " + newBody + (kind.sweep() ? ", schema_version = " + kind.targetVersion() : "")
                + ", revision = " + REVISION + " where u.id > ? and u.id <= ?" + narrow + " and " + filter;
        this.bareUpdate = update;
        this.update = update == null ? null : kind.sweep() ? sweep(update) : kind.backup() ? withBackup(update, false) : update;
        this.updateChecked = update == null ? null : kind.backup() ? withBackup(update, true) : update + RETURNING;
    }

    /**
     * A sweep's update, counting the documents it changed apart from those it only stamped with the target
     * version: the final select reads the table in the snapshot taken before the update, so {@code o} is each row
     * as it was. With a backup, each row's body before is saved too (all of them: a rollback restores them all).
     */
    private String sweep(String update) {
        String t = table.sqlName();
        return "with up as (" + update + " returning u.id, u.data, u.revision)"
                + (kind.backup() ? ", bk as (insert into docshift.migration_backup (run_id, doc_id, data, schema_version, revision)"
                + " select " + kind.runId() + ", o.id, o.data, o.schema_version, up.revision from up join " + t + " o on o.id = up.id)" : "")
                + " select count(*), count(*) filter (where o.data is distinct from up.data) from up join " + t + " o on o.id = up.id";
    }

    /** What a batch wrote: documents whose body changed, and (a sweep's) documents only stamped with the target version. */
    record Written(int changed, int stamped) {
        static final Written NOTHING = new Written(0, 0);
    }

    /**
     * The update, saving the body each changed row had: every sub-statement of a WITH sees the snapshot taken
     * before the update, so {@code o} is the row as it was (the caller locks the slice first, so no concurrent
     * write can slip between that snapshot and the update). It returns the changed rows like the plain update.
     */
    private String withBackup(String update, boolean bodies) {
        return "with up as (" + update + " returning u.id, u.revision, u.data),"
                + " bk as (insert into docshift.migration_backup (run_id, doc_id, data, schema_version, revision)"
                + " select " + kind.runId() + ", o.id, o.data, o.schema_version, up.revision from up join " + table.sqlName()
                + " o on o.id = up.id)"
                + (bodies ? " select id, data::text from up" : " select count(*) from up");
    }

    RunKind kind() {
        return kind;
    }

    DocTable table() {
        return table;
    }

    /** The statement that finds the next slice (for tests that read its plan): after ?, the where's parameters, a limit. */
    String sliceSql() {
        return nextSlice;
    }

    List<Object> sliceParams() {
        return whereParams();
    }

    /** The declarative batch statement (for tests that read its plan). */
    String updateSql() {
        return update;
    }

    /** The next slice of at most {@code limit} ids after {@code after} (from the start when null). */
    Slice nextSlice(Connection c, UUID after, int limit) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(after == null ? firstSlice : nextSlice)) {
            int i = 1;
            if (after != null) {
                p.setObject(i++, after);
            }
            i = bind(p, i, whereParams());
            p.setInt(i, limit);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return new Slice(after, r.getObject(2, UUID.class), r.getInt(1));
            }
        }
    }

    /**
     * Applies the steps to a slice; returns how many documents changed. Each changed body goes through
     * {@code check} (when there is one) before the batch commits.
     */
    Written applySteps(Connection c, Slice slice, BodyCheck check) throws SQLException {
        if (citus) {
            return applyDistributed(c, slice, check);
        }
        if (kind.backup()) {
            lock(c, slice);
        }
        try (PreparedStatement p = c.prepareStatement(check == null ? update : updateChecked)) {
            int i = bind(p, 1, chain.params());
            i = range(p, i, slice);
            i = bind(p, i, whereParams());
            bind(p, i, filterParams);
            if (check != null) {
                return new Written(changedRows(p, check), 0);
            }
            if (kind.sweep()) {
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return new Written(r.getInt(2), r.getInt(1) - r.getInt(2));
                }
            }
            if (!kind.backup()) {
                return new Written(p.executeUpdate(), 0);
            }
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return new Written(r.getInt(1), 0);
            }
        }
    }

    /**
     * Runs an update that returns {@code (id, data::text)} of the rows it changed; their count. Each body goes
     * through {@code check}; if any fails, the one with the lowest id is reported.
     */
    private static int changedRows(PreparedStatement p, BodyCheck check) throws SQLException {
        int changed = 0;
        DocumentFailure first = null;
        UUID firstId = null;
        try (ResultSet r = p.executeQuery()) {
            while (r.next()) {
                changed++;
                UUID id = r.getObject(1, UUID.class);
                if (check != null && (firstId == null || before(id, firstId))) {
                    try {
                        check.check(id, r.getString(2));
                    } catch (DocumentFailure f) {
                        first = f;
                        firstId = id;
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return changed;
    }

    /** Row-locks every document of a slice for the rest of the batch. */
    void lock(Connection c, Slice slice) throws SQLException {
        // Citus runs no FOR UPDATE over many shards; an update that changes nothing takes the same row locks on each
        try (PreparedStatement p = c.prepareStatement(citus ? "update " + table.sqlName() + " set revision = revision where id > ? and id <= ?"
                : "select 1 from " + table.sqlName() + " where id > ? and id <= ? for update")) {
            range(p, 1, slice);
            p.execute();
        }
    }

    /**
     * A batch on a Citus distributed table, where an UPDATE calls no volatile function and a data-modifying CTE
     * runs before the rest of its statement (so the plain forms' snapshot of the rows before is not one there):
     * the coordinator takes the batch's one revision, a backup or sweep locks the slice first, a sweep counts the
     * bodies that will change, a backup saves the bodies before, each its own statement; then the update.
     */
    private Written applyDistributed(Connection c, Slice slice, BodyCheck check) throws SQLException {
        long revision = io.docshift.document.store.DocumentStore.revisionMark(c);
        if (kind.backup() || kind.sweep()) {
            lock(c, slice);
        }
        String rows = " from " + table.sqlName() + " u where u.id > ? and u.id <= ?" + narrow + " and " + filter;
        int changing = -1;
        if (kind.sweep() && check == null) {
            try (PreparedStatement p = c.prepareStatement("select count(*)" + rows + " and u.data is distinct from " + newBody)) {
                int i = bind(p, range(p, 1, slice), whereParams());
                bind(p, bind(p, i, filterParams), chain.params());
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    changing = r.getInt(1);
                }
            }
        }
        if (kind.backup()) {
            try (PreparedStatement p = c.prepareStatement("insert into docshift.migration_backup (run_id, doc_id, data, schema_version, revision)"
                    + " select " + kind.runId() + ", u.id, u.data, u.schema_version, ?" + rows)) {
                p.setLong(1, revision);
                bind(p, bind(p, range(p, 2, slice), whereParams()), filterParams);
                p.executeUpdate();
            }
        }
        String update = bareUpdate.replace("revision = " + REVISION, "revision = ?");
        try (PreparedStatement p = c.prepareStatement(check == null ? update : update + RETURNING)) {
            int i = revision(p, bind(p, 1, chain.params()), revision);
            bind(p, bind(p, range(p, i, slice), whereParams()), filterParams);
            int written = check == null ? p.executeUpdate() : changedRows(p, check);
            // as the plain forms count: a checked batch reports every row it wrote as changed
            return kind.sweep() && check == null ? new Written(changing, written - changing) : new Written(written, 0);
        }
    }

    private static int revision(PreparedStatement p, int i, Long revision) throws SQLException {
        if (revision == null) {
            return i;
        }
        p.setLong(i, revision);
        return i + 1;
    }

    /** Whether a document below the sweep's target version is left anywhere in the table (written behind the sweep). */
    boolean documentsBelowTarget(Connection c) throws SQLException {
        return io.docshift.document.store.DocumentStore.anyBelowVersion(c, table, kind.targetVersion());
    }

    /**
     * Rolls a slice back: documents written since the rolled-back run (no fresh backup) go through the inverse
     * steps, then every document whose backup is still fresh gets its saved body back. Returns how many changed.
     */
    Written rollBack(Connection c, Slice slice, BodyCheck check) throws SQLException {
        lock(c, slice);
        // on Citus the coordinator takes the batch's one revision (an UPDATE of a distributed table calls no volatile function)
        Long revision = citus ? io.docshift.document.store.DocumentStore.revisionMark(c) : null;
        String next = citus ? "?" : REVISION;
        int changed = 0;
        String stale = staleCondition();
        if (inverseChain != null || kind.targetVersion() != null) {
            String body = inverseChain == null ? "u.data" : "(select s" + inverseChain.stages() + ".d from (select u.data as d) s0" + inverseChain.sql() + ")";
            try (PreparedStatement p = c.prepareStatement("update " + table.sqlName() + " u set data = " + body
                    + (kind.targetVersion() != null ? ", schema_version = " + kind.targetVersion() : "")
                    + ", revision = " + next + " where u.id > ? and u.id <= ? and " + stale + RETURNING)) {
                int i = inverseChain == null ? 1 : bind(p, 1, inverseChain.params());
                i = revision(p, i, revision);
                range(p, i, slice);
                changed += changedRows(p, check);
            }
        }
        try (PreparedStatement p = c.prepareStatement("update " + table.sqlName() + " u set data = b.data, schema_version = b.schema_version,"
                + " revision = " + next + " from docshift.migration_backup b where b.run_id = " + kind.rollbackOf()
                + " and b.doc_id = u.id and u.id > ? and u.id <= ? and b.doc_id > ? and b.doc_id <= ? and u.revision = b.revision"
                + RETURNING)) {
            int i = range(p, revision(p, 1, revision), slice);
            range(p, i, slice);
            changed += changedRows(p, check);
        }
        return new Written(changed, 0);
    }

    /**
     * Which documents {@code u} a rollback brings back through the inverse steps: for a transition, those at
     * its version without a fresh backup; for a plain run, those written after the run changed them.
     */
    String staleCondition() {
        return kind.rolledTarget() != null
                ? "u.schema_version >= " + kind.rolledTarget() + " and not exists (select 1 from docshift.migration_backup b"
                + " where b.run_id = " + kind.rollbackOf() + " and b.doc_id = u.id and b.revision = u.revision)"
                : "exists (select 1 from docshift.migration_backup b where b.run_id = " + kind.rollbackOf()
                + " and b.doc_id = u.id and b.revision <> u.revision)";
    }

    /** Which documents {@code u} a rollback restores from their backup: those whose backup is still fresh. */
    String freshBackupCondition() {
        return "exists (select 1 from docshift.migration_backup b where b.run_id = " + kind.rollbackOf()
                + " and b.doc_id = u.id and b.revision = u.revision)";
    }

    /** The body a rollback gives a document written since the rolled-back run, for the blocking check. */
    String inverseBodySql(String data) {
        return inverseChain == null ? data : "(select s" + inverseChain.stages() + ".d from (select " + data + " as d) s0" + inverseChain.sql() + ")";
    }

    List<Object> inverseParams() {
        return inverseChain == null ? List.of() : inverseChain.params();
    }

    /** The ids of a slice, in order. */
    List<UUID> ids(Connection c, Slice slice) throws SQLException {
        List<UUID> ids = new ArrayList<>(slice.size());
        try (PreparedStatement p = c.prepareStatement("select id from " + table.sqlName() + " where id > ? and id <= ? order by id")) {
            range(p, 1, slice);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getObject(1, UUID.class));
                }
            }
        }
        return ids;
    }

    /** Evaluates the step chain for one document; used to find the document a failing batch stumbled on. */
    void tryOne(Connection c, UUID id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select s" + chain.stages() + ".d from " + rows() + " where t.id = ?")) {
            int i = bind(p, 1, chain.params());
            p.setObject(i, id);
            p.executeQuery().close();
        }
    }

    /** Dry run: counts over the documents a run would walk (those {@code where} selects). */
    String dryRunCountsSql() {
        return "select count(*), count(*) filter (where s" + chain.stages() + ".d is distinct from t.data) from " + rows()
                + (where == null ? "" : " where " + where.sql());
    }

    /** Dry run: up to {@code ?} documents that would change, before and after. */
    String dryRunExamplesSql() {
        return "select t.id, t.data::text, s" + chain.stages() + ".d::text from " + rows()
                + " where s" + chain.stages() + ".d is distinct from t.data" + (where == null ? "" : " and " + where.sql()) + " order by t.id limit ?";
    }

    /** Every document {@code t} with its new body in {@code sN.d}. */
    private String rows() {
        return table.sqlName() + " t cross join lateral (select t.data as d) s0" + idText + chain.sql();
    }

    /** The parameters of the dry-run statements: the chain's, then the where's. */
    List<Object> chainParams() {
        List<Object> p = new ArrayList<>(chain.params());
        p.addAll(whereParams());
        return p;
    }

    /** How many documents a plain run walks: those its where selects, or every one. */
    long total(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select count(*) from " + table.sqlName() + (where == null ? "" : " where " + where.sql()))) {
            bind(p, 1, whereParams());
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** Whether slices hold only what the where selects. */
    boolean narrowed() {
        return where != null;
    }

    private List<Object> whereParams() {
        return where == null ? List.of() : where.params();
    }

    /** Whether {@code a} sorts before {@code b} as PostgreSQL orders uuids (unsigned, byte by byte). */
    private static boolean before(UUID a, UUID b) {
        int msb = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return msb != 0 ? msb < 0 : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits()) < 0;
    }

    static int bind(PreparedStatement p, int start, List<Object> params) throws SQLException {
        int i = start;
        for (Object v : params) {
            p.setString(i++, (String) v);
        }
        return i;
    }

    private static int range(PreparedStatement p, int i, Slice slice) throws SQLException {
        p.setObject(i, slice.after() == null ? new UUID(0, 0) : slice.after());
        p.setObject(i + 1, slice.last());
        return i + 2;
    }
}
