package io.docshift.migration;

import io.docshift.document.store.DocTable;
import io.docshift.document.store.TableRegistry;
import io.docshift.migration.cel.Cel;
import io.docshift.support.Api;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Migrations with CEL: {@code where} limits the documents a run walks (through an index for an equality on an
 * indexed field), {@code "set"} with {@code "expr"} computes values, in PostgreSQL when it can evaluate the
 * expression and in the JVM otherwise, on 100,000 documents; bad expressions are refused at registration.
 */
@QuarkusTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CelMigrationTest {

    private static final int N = 100_000;

    @Inject
    TableRegistry tables;

    private String t;

    /** Once, before the first test (REST Assured knows the port only by then). */
    @BeforeEach
    void load() throws Exception {
        if (t != null) {
            return;
        }
        t = TestDb.freshTable("spenders");
        given().contentType(ContentType.JSON).body("{\"tables\":{\"" + t + "\":{\"document\":{\"spend\":{\"type\":\"number\"},"
                + "\"status\":{\"type\":\"string\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
                + "\"tier\":{\"type\":\"string\",\"optional\":true},\"vip\":{\"type\":\"boolean\",\"optional\":true},"
                + "\"reviewed\":{\"type\":\"boolean\",\"optional\":true}},"
                + "\"indexes\":[{\"name\":\"by_status\",\"fields\":[\"status\"]}]}}}").put("/api/schema").then().statusCode(200);
        Api.insert(t, "{\"spend\":1,\"status\":\"new\",\"tags\":[]}");
        // the index first: a concurrent build and the load's ANALYZE would wait for each other
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!"ready".equals(given().get("/api/schema").then().extract().path("indexes.find { it.table == '" + t + "' }.state"))) {
            assertTrue(System.nanoTime() < deadline, "index by_status ready");
            Thread.sleep(100);
        }
        // spend 0..1999.5; one in 100 is "frozen"; one in 7 is tagged vip
        TestDb.bulkLoad(t, N - 1, "jsonb_build_object('spend', (g % 4000) / 2.0, 'status', case when g % 100 = 0 then 'frozen' else 'open' end,"
                + " 'tags', case when g % 7 = 0 then '[\"x\", \"vip\"]'::jsonb else '[\"x\"]'::jsonb end)");
    }

    @Test
    void aCelSetLimitedByACelWhereRunsInPostgresAndCountsOnlyWhatItSelects() throws Exception {
        String m = "tier_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"where\":\"doc.spend >= 1000.0\","
                + "\"steps\":[{\"op\":\"set\",\"field\":\"tier\",\"expr\":\"doc.spend > 1500.0 ? 'gold' : 'silver'\"}]}");
        given().get("/api/migrations/" + m).then().statusCode(200).body("evaluation", equalTo("sql"));
        long matching = TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where (data->>'spend')::float8 >= 1000");

        JsonPath dry = given().contentType(ContentType.JSON).body("{\"dryRun\":true,\"limit\":3}").post("/api/migrations/" + m + "/runs")
                .then().statusCode(200).extract().jsonPath();
        assertEquals("sql", dry.getString("evaluation"));
        assertEquals(matching, dry.getLong("examined"), "a dry run examines what the where selects");
        assertEquals(matching, dry.getLong("wouldChange"));

        JsonPath run = Runs.awaitEnd(Runs.start(m, "{}"), Duration.ofMinutes(2));
        assertEquals("completed", run.getString("state"), run.prettify());
        assertEquals(matching, run.getLong("total"), "the run's total counts only the documents its where selects");
        assertEquals(matching, run.getLong("processed"));
        assertEquals(matching, run.getLong("changed"));
        assertEquals(TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where (data->>'spend')::float8 > 1500"),
                TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->>'tier' = 'gold'"));
        assertEquals(0, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data ? 'tier' and (data->>'spend')::float8 < 1000"));
    }

    @Test
    void anExpressionOnlyTheJvmEvaluatesRunsThereWithTheSameRuns() throws Exception {
        String m = "vip_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"set\",\"field\":\"vip\",\"expr\":\"doc.tags.exists(x, x == 'vip')\"}]}");
        given().get("/api/migrations/" + m).then().body("evaluation", equalTo("jvm"));
        JsonPath dry = given().contentType(ContentType.JSON).body("{\"dryRun\":true,\"limit\":1}").post("/api/migrations/" + m + "/runs")
                .then().statusCode(200).extract().jsonPath();
        assertEquals("jvm", dry.getString("evaluation"));
        assertEquals(N, dry.getLong("wouldChange"));

        JsonPath run = Runs.awaitEnd(Runs.start(m, "{}"), Duration.ofMinutes(3));
        assertEquals("completed", run.getString("state"), run.prettify());
        assertEquals(N, run.getLong("changed"));
        assertEquals(TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->'tags' @> '[\"vip\"]'"),
                TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->'vip' = 'true'"));
        assertEquals(0, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where not data ? 'vip'"));
    }

    @Test
    void aWhereOnAnIndexedFieldWalksTheIndexAndTheRunTouchesOnlyThoseDocuments() throws Exception {
        String m = "review_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"where\":\"doc.status == 'frozen'\",\"steps\":[{\"op\":\"set\",\"field\":\"reviewed\",\"value\":true}]}");
        DocTable table = tables.find(t).orElseThrow();
        MigrationDefinition def = MigrationParser.parse(m, new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                given().get("/api/migrations/" + m).then().extract().jsonPath().prettify()).get("definition"));
        BatchSql sql = new BatchSql(table, def.steps(), io.docshift.migration.step.StepSql.chain(def.steps(), java.util.Map.of()), false,
                RunKind.plain(0), def.where());
        String plan = explain(sql.sliceSql(), sql, new UUID(0, 0));
        assertTrue(plan.contains("Index Scan") || plan.contains("Index Only Scan") || plan.contains("Bitmap Index Scan"),
                "the slice of an equality on an indexed field goes through an index:\n" + plan);
        assertTrue(!plan.contains("Seq Scan") && !plan.contains("_pkey"), "its own, not the table or its primary key:\n" + plan);

        long frozen = TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->>'status' = 'frozen'");
        JsonPath run = Runs.awaitEnd(Runs.start(m, "{}"), Duration.ofMinutes(1));
        assertEquals("completed", run.getString("state"));
        assertEquals(frozen, run.getLong("total"));
        assertEquals(frozen, run.getLong("processed"));
        assertEquals(frozen, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data ? 'reviewed'"));
    }

    private static String explain(String sliceSql, BatchSql sql, UUID after) throws Exception {
        StringBuilder out = new StringBuilder();
        try (Connection c = TestDb.connect(); PreparedStatement p = c.prepareStatement("explain " + sliceSql.replaceFirst("\\?", "'" + after + "'::uuid"))) {
            int i = 1;
            for (Object v : sql.sliceParams()) {
                p.setString(i++, (String) v);
            }
            p.setInt(i, 500);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.append(r.getString(1)).append('\n');
                }
            }
        }
        return out.toString();
    }

    @Test
    void anExpressionWithoutAValueFailsTheRunNamingTheDocument() throws Exception {
        String u = TestDb.freshTable("people");
        for (int i = 0; i < 50; i++) {
            Api.insert(u, "{\"spend\":" + i + ",\"tags\":[\"a\"]}");
        }
        String bad = Api.insert(u, "{\"spend\":\"lots\",\"tags\":[\"a\"]}");
        String inSql = "double_" + u;
        Runs.define(inSql, "{\"table\":\"" + u + "\",\"steps\":[{\"op\":\"set\",\"field\":\"twice\",\"expr\":\"doc.spend * 2.0\"}]}");
        JsonPath failed = Runs.awaitEnd(Runs.start(inSql, "{}"), Duration.ofMinutes(1));
        assertEquals("failed", failed.getString("state"));
        assertEquals(bad, failed.getString("error._id"));
        assertTrue(failed.getString("error.message").contains("the expression for twice has no value"), failed.prettify());

        String inJvm = "tagged_" + u;
        Runs.define(inJvm, "{\"table\":\"" + u + "\",\"steps\":[{\"op\":\"set\",\"field\":\"big\",\"expr\":\"doc.tags.exists(x, x == 'a') && doc.spend > 10.0\"}]}");
        failed = Runs.awaitEnd(Runs.start(inJvm, "{}"), Duration.ofMinutes(1));
        assertEquals("failed", failed.getString("state"));
        assertEquals(bad, failed.getString("error._id"));
        assertTrue(failed.getString("error.message").contains("No matching overload"), "the JVM says why: " + failed.prettify());
    }

    @Test
    void badExpressionsAreRefusedAtRegistrationNamingWhereAndWhy() {
        String m = "bad_" + t;
        Api.problem(given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"set\",\"field\":\"x\",\"expr\":\"doc.spend >\"}]}")
                .put("/api/migrations/" + m).then(), 400, "/steps/0/expr").body("detail", containsString("line 1, column 12"));
        Api.problem(given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"where\":\"doc.spend + 1.0\",\"steps\":[{\"op\":\"unset\",\"field\":\"x\"}]}")
                .put("/api/migrations/" + m).then(), 400, "/where").body("detail", containsString("boolean"));
        Api.problem(given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"where\":\"doc.tags.all(a, doc.tags.all(b, a == b))\","
                + "\"steps\":[{\"op\":\"unset\",\"field\":\"x\"}]}").put("/api/migrations/" + m).then(), 400, "/where")
                .body("detail", containsString("cost")).body("detail", containsString(Long.toString(Cel.COST_LIMIT)));
        Api.problem(given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"set\",\"field\":\"x\",\"expr\":\"now()\"}]}")
                .put("/api/migrations/" + m).then(), 400, "/steps/0/expr").body("detail", containsString("undeclared reference"));
        Api.problem(given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"set\",\"field\":\"x\",\"expr\":\"doc.tags.exists(a, a == 'b')\"},"
                + "{\"op\":\"countRelated\",\"field\":\"n\",\"table\":\"o\",\"foreignKey\":\"c\"}]}").put("/api/migrations/" + m).then(), 400, "/steps");
        given().get("/api/migrations/" + m).then().statusCode(404);
    }
}
