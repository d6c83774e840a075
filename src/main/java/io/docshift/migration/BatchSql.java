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
 * update is one statement over the slice's ids, kept on the primary-key index by {@code u.id = any(?)}
 * (a join alone can be planned as a hash join over a scan of the whole table).
 */
final class BatchSql {

    private final DocTable table;
    private final StepSql.Fragment chain;
    private final String nextIds;
    private final String firstIds;
    private final String update;

    BatchSql(DocTable table, StepSql.Fragment chain) {
        this.table = table;
        this.chain = chain;
        String t = table.sqlName();
        this.nextIds = "select id from " + t + " where id > ? order by id limit ?";
        this.firstIds = "select id from " + t + " order by id limit ?";
        this.update = chain == null ? null
                : "update " + t + " u set data = c.d, revision = nextval('docshift.write_seq')"
                + " from (select t.id, s" + chain.stages() + ".d as d from unnest(?::uuid[], ?::text[]) as b(id, idtext)"
                + " join " + t + " t on t.id = b.id" + chain.sql() + ") c"
                + " where u.id = c.id and u.id = any(?::uuid[]) and u.data is distinct from c.d";
    }

    DocTable table() {
        return table;
    }

    /** The next slice of ids after {@code after} (from the start when null). */
    List<UUID> nextIds(Connection c, UUID after, int limit) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(after == null ? firstIds : nextIds)) {
            int i = 1;
            if (after != null) {
                p.setObject(i++, after);
            }
            p.setInt(i, limit);
            List<UUID> ids = new ArrayList<>(limit);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getObject(1, UUID.class));
                }
            }
            return ids;
        }
    }

    /** Applies the steps to the slice; returns how many documents changed. */
    int applySteps(Connection c, List<UUID> ids) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(update)) {
            UUID[] idArray = ids.toArray(new UUID[0]);
            int i = 1;
            p.setArray(i++, c.createArrayOf("uuid", idArray));
            p.setArray(i++, c.createArrayOf("text", idTexts(ids)));
            i = bind(p, i, chain.params());
            p.setArray(i, c.createArrayOf("uuid", idArray));
            return p.executeUpdate();
        }
    }

    /** The body each step chain produces for one document; used to find the document a failing batch stumbled on. */
    void tryOne(Connection c, UUID id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select s" + chain.stages() + ".d from " + table.sqlName() + " t"
                + " cross join lateral (select t.id, docshift.id_text(t.id) as idtext) b" + chain.sql() + " where t.id = ?")) {
            int i = bind(p, 1, chain.params());
            p.setObject(i, id);
            p.executeQuery().close();
        }
    }

    /** Dry run: counts over the whole table and up to {@code limit} examples of documents that would change. */
    String dryRunCountsSql() {
        return "select count(*), count(*) filter (where s" + chain.stages() + ".d is distinct from t.data) from " + table.sqlName() + " t"
                + " cross join lateral (select t.id, docshift.id_text(t.id) as idtext) b" + chain.sql();
    }

    String dryRunExamplesSql() {
        return "select t.id, t.data::text, s" + chain.stages() + ".d::text from " + table.sqlName() + " t"
                + " cross join lateral (select t.id, docshift.id_text(t.id) as idtext) b" + chain.sql()
                + " where s" + chain.stages() + ".d is distinct from t.data order by t.id limit ?";
    }

    List<Object> chainParams() {
        return chain.params();
    }

    static int bind(PreparedStatement p, int start, List<Object> params) throws SQLException {
        int i = start;
        for (Object v : params) {
            p.setString(i++, (String) v);
        }
        return i;
    }

    private static String[] idTexts(List<UUID> ids) {
        String[] out = new String[ids.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = io.docshift.document.store.DocumentId.fromUuid(ids.get(i)).toString();
        }
        return out;
    }
}
