package io.docshift.migration;

import io.docshift.document.store.DocTable;
import io.docshift.migration.step.FieldPath;
import io.docshift.migration.step.Step;
import io.docshift.migration.step.StepSql;
import io.docshift.support.Api;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The two planner traps of RELIABILITY.md, checked on the statements the migration engine really runs. */
@QuarkusTest
class PlannerTrapsTest {

    static String table;
    static DocTable docTable;

    @BeforeEach
    void load() {
        if (table != null) {
            return;
        }
        table = TestDb.freshTable("planner");
        Api.insert(table, "{\"name\":\"first\"}");
        TestDb.bulkLoad(table, 100_000, "jsonb_build_object('name', 'n' || g) || case when g % 2 = 0 then '{\"status\":\"x\"}'::jsonb else '{}'::jsonb end");
        String physical = TestDb.physical(table);
        docTable = new DocTable(Integer.parseInt(physical.substring(physical.lastIndexOf('_') + 1)), table);
    }

    private static BatchSql batchSql() {
        Step step = new Step.SetDefault(FieldPath.parse("status"), com.fasterxml.jackson.databind.node.TextNode.valueOf("active"));
        return new BatchSql(docTable, List.of(step), StepSql.chain(List.of(step), Map.of()), false);
    }

    @Test
    void keysetSlicesWalkThePrimaryKeyIndexWithoutSorting() throws Exception {
        try (Connection c = TestDb.connect()) {
            UUID after = firstId(c);
            String plan = explain(c, "explain with s as (select id from " + docTable.sqlName() + " where id > ? order by id limit ?)"
                    + " select (select count(*) from s), (select id from s order by id desc limit 1)", after, 5000);
            assertTrue(plan.contains("Index Only Scan") || plan.contains("Index Scan"), plan);
            assertFalse(plan.contains("Seq Scan"), plan);
        }
    }

    @Test
    void theBatchUpdateStaysOnTheIndexAndNeverJoinsTheWholeTable() throws Exception {
        BatchSql sql = batchSql();
        try (Connection c = TestDb.connect()) {
            c.setAutoCommit(false);
            c.createStatement().execute("set local plan_cache_mode = force_custom_plan");
            BatchSql.Slice slice = sql.nextSlice(c, firstId(c), 5000);
            String update = updateSql();
            StringBuilder plan = new StringBuilder();
            try (PreparedStatement p = c.prepareStatement("explain " + update)) {
                p.setString(1, "\"active\"");
                p.setObject(2, slice.after());
                p.setObject(3, slice.last());
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        plan.append(r.getString(1)).append('\n');
                    }
                }
            }
            c.rollback();
            assertTrue(plan.toString().contains("Index Scan using"), plan.toString());
            assertFalse(plan.toString().contains("Seq Scan"), plan.toString());
            assertFalse(plan.toString().contains("Join") || plan.toString().contains("Nested Loop"), "no self-join: " + plan);
        }
    }

    private static String updateSql() {
        return batchSql().updateSql();
    }

    private static UUID firstId(Connection c) throws Exception {
        try (ResultSet r = c.createStatement().executeQuery("select id from " + docTable.sqlName() + " order by id limit 1")) {
            r.next();
            return r.getObject(1, UUID.class);
        }
    }

    private static String explain(Connection c, String sql, Object... params) throws Exception {
        StringBuilder out = new StringBuilder();
        try (PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                p.setObject(i + 1, params[i]);
            }
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.append(r.getString(1)).append('\n');
                }
            }
        }
        return out.toString();
    }
}
