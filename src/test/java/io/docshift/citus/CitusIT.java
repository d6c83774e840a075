package io.docshift.citus;

import io.docshift.support.AppProcess;
import io.docshift.support.Bulk;
import io.docshift.support.CitusCluster;
import io.docshift.support.Runs;
import io.docshift.support.Tools;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.docshift.support.Api.docs;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Docshift with {@code docshift.storage.distribution=citus} on a real Citus cluster of its own (a coordinator and two
 * workers): document tables distributed and co-located with their backups, and the features that hold there, each
 * with exact counts and byte-for-byte rollbacks. Skipped with an install hint where Citus is not built in; failed
 * under CI=true.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CitusIT {

    @RegisterExtension
    static final ExecutionCondition TOOLS = Tools.check("CitusIT", CitusCluster.CITUS);

    private CitusCluster cluster;
    private AppProcess pod;

    @BeforeAll
    void start() throws Exception {
        cluster = CitusCluster.start("citus", 2);
        pod = AppProcess.start("citus-0", Map.of("quarkus.datasource.jdbc.url", cluster.jdbcUrl(), "docshift.storage.distribution", "citus",
                "docshift.migrations.poll", "1s", "docshift.schema.index-poll", "1s"));
        pod.awaitReady(Duration.ofSeconds(120));
        RestAssured.baseURI = pod.baseUri();
        RestAssured.port = pod.port();
    }

    @AfterAll
    void stop() throws Exception {
        RestAssured.reset();
        try {
            if (pod != null) {
                pod.stop();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    @Test
    void aPodRefusesToStartWithOneLineWhenTheSettingAndTheDatabaseDiffer() throws Exception {
        try (AppProcess plain = AppProcess.start("citus-on-plain", Map.of("docshift.storage.distribution", "citus"))) {
            assertTrue(plain.awaitExit(Duration.ofSeconds(120)), "a pod set to citus on a plain PostgreSQL exits");
            assertTrue(plain.logText().contains("Refusing to start: docshift.storage.distribution is citus, but the database has no citus extension"),
                    plain.logText());
        }
        Bulk.insert("citus_refusal", 1, i -> "{}");
        try (AppProcess none = AppProcess.start("none-on-citus", Map.of("quarkus.datasource.jdbc.url", cluster.jdbcUrl()))) {
            assertTrue(none.awaitExit(Duration.ofSeconds(120)), "a pod set to none on distributed tables exits");
            assertTrue(none.logText().contains("are Citus distributed tables, but docshift.storage.distribution is none; set DOCSHIFT_STORAGE_DISTRIBUTION=citus"),
                    none.logText());
        }
    }

    @Test
    void documentTablesAreDistributedByIdAndCoLocatedWithTheirBackups() throws Exception {
        Bulk.insert("citus_layout", 3, i -> "{\"n\":" + i + "}");
        try (Connection c = cluster.connect()) {
            String physical = physical(c, "citus_layout");
            assertEquals("id", scalar(c, "select column_to_column_name(logicalrelid, partkey) from pg_dist_partition where logicalrelid = '"
                    + physical + "'::regclass"));
            assertEquals(scalar(c, "select colocationid::text from pg_dist_partition where logicalrelid = 'docshift.migration_backup'::regclass"),
                    scalar(c, "select colocationid::text from pg_dist_partition where logicalrelid = '" + physical + "'::regclass"));
            assertEquals("2", scalar(c, "select count(distinct nodeport)::text from citus_shards where table_name = '" + physical + "'::regclass"),
                    "shards on both workers");
            assertEquals("0", scalar(c, "select count(*)::text from pg_dist_partition where logicalrelid = 'docshift.migration_run'::regclass"),
                    "Docshift's own tables stay on the coordinator");
        }
    }

    @Test
    void writesConditionalWritesAndIdempotencyKeysAreExact() {
        String t = "citus_writes";
        String id = given().contentType(ContentType.JSON).body("{\"name\":\"Ada\"}").post(docs(t)).then().statusCode(201).extract().path("_id");
        String etag = given().get(docs(t) + "/" + id).then().statusCode(200).extract().header("ETag");
        String put = given().contentType(ContentType.JSON).header("If-Match", etag).body("{\"name\":\"Grace\"}").put(docs(t) + "/" + id)
                .then().statusCode(200).body("name", equalTo("Grace")).extract().header("ETag");
        assertFalse(put.equals(etag), "a replacement takes a new revision");
        given().contentType("application/merge-patch+json").header("If-Match", etag).body("{\"name\":\"Stale\"}").patch(docs(t) + "/" + id)
                .then().statusCode(412);
        given().contentType("application/merge-patch+json").header("If-Match", put).body("{\"city\":\"Turin\"}").patch(docs(t) + "/" + id)
                .then().statusCode(200).body("name", equalTo("Grace")).body("city", equalTo("Turin"));
        String key = "7f4a2c1e-3b5d-4e6f-8a9b-0c1d2e3f4a5b";
        List<String> first = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("[{\"n\":1},{\"n\":2}]")
                .post(docs(t) + "/batch").then().statusCode(201).extract().path("ids");
        List<String> again = given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("[{\"n\":1},{\"n\":2}]")
                .post(docs(t) + "/batch").then().statusCode(201).extract().path("ids");
        assertEquals(first, again, "a retry with the key gets the first response");
        given().get("/api/tables").then().statusCode(200).body("find { it.name == '" + t + "' }.documents", equalTo(3));
        given().header("If-Match", etag).delete(docs(t) + "/" + id).then().statusCode(412);
        given().delete(docs(t) + "/" + id).then().statusCode(204);
        given().get(docs(t) + "/" + id).then().statusCode(404);
        given().get("/api/tables").then().body("find { it.name == '" + t + "' }.documents", equalTo(2));
    }

    @Test
    void pagesInBothOrdersWalkEveryDocumentOnce() {
        String t = "citus_pages";
        List<String> ids = Bulk.insert(t, 250, i -> "{\"n\":" + i + "}");
        assertEquals(ids, walk(t, "asc"));
        List<String> descending = new java.util.ArrayList<>(ids);
        java.util.Collections.reverse(descending);
        assertEquals(descending, walk(t, "desc"));
    }

    private static List<String> walk(String t, String order) {
        List<String> out = new java.util.ArrayList<>();
        String cursor = null;
        while (true) {
            io.restassured.path.json.JsonPath page = given().queryParam("order", order).queryParam("limit", 100)
                    .queryParams(cursor == null ? Map.of() : Map.of("cursor", cursor)).get(docs(t)).then().statusCode(200).extract().jsonPath();
            out.addAll(page.getList("page._id"));
            if (page.getBoolean("isDone")) {
                return out;
            }
            cursor = page.getString("continueCursor");
        }
    }

    @Test
    void anIndexIsReadyOnlyOnceEveryShardHoldsItAndAnswersQueriesExactly() throws Exception {
        String t = "citus_projects";
        Bulk.insert(t, 300, i -> "{\"status\":\"" + (i % 3 == 0 ? "completed" : "active") + "\",\"n\":" + i + "}");
        given().contentType(ContentType.JSON).body("{\"tables\":{\"" + t + "\":{\"document\":{\"status\":{\"type\":\"string\"},\"n\":{\"type\":\"number\"}},"
                + "\"indexes\":[{\"name\":\"by_status\",\"fields\":[\"status\"]}]}}}").put("/api/schema").then().statusCode(200);
        io.docshift.support.RawClients.await("the index ready", Duration.ofSeconds(60), () -> "ready".equals(given().get("/api/schema").then().extract()
                .path("indexes.find { it.table == '" + t + "' }.state")));
        try (Connection c = cluster.connect()) {
            String physical = physical(c, t);
            assertEquals("0", scalar(c, "select count(*)::text from run_command_on_shards('" + physical + "', $$select count(*) from pg_index i join pg_class x"
                    + " on x.oid = i.indexrelid where i.indrelid = '%s'::regclass and i.indisvalid and x.relname like 'ix%%'$$) where result::int <> 1"), "every shard holds the index");
        }
        int completed = 0;
        String cursor = null;
        do {
            io.restassured.path.json.JsonPath page = given().contentType(ContentType.JSON).body("{\"index\":\"by_status\",\"eq\":{\"status\":\"completed\"},\"limit\":40"
                    + (cursor == null ? "" : ",\"cursor\":\"" + cursor + "\"") + "}").post("/api/tables/" + t + "/query").then().statusCode(200).extract().jsonPath();
            completed += page.getList("page").size();
            cursor = page.getBoolean("isDone") ? null : page.getString("continueCursor");
        } while (cursor != null);
        assertEquals(100, completed);
    }

    @Test
    void aMigrationWithBackupsChangesEachDocumentOnceAndItsRollbackRestoresEveryByte() throws Exception {
        String t = "citus_customers";
        Bulk.insert(t, 1_000, i -> "{\"name\":\"C" + i + "\",\"tier\":" + (i % 4) + (i % 5 == 0 ? ",\"legacy\":true" : "") + "}");
        Map<String, String> before = bodies(t);
        Runs.define("citus_set_region", "{\"table\":\"" + t + "\",\"backup\":true,\"steps\":[{\"op\":\"set\",\"field\":\"region\",\"value\":\"eu\"}]}");
        var run = Runs.awaitEnd(Runs.start("citus_set_region", "{}"), Duration.ofMinutes(2));
        assertEquals("completed", run.getString("state"), run.prettify());
        assertEquals(1_000, run.getLong("processed"));
        assertEquals(1_000, run.getLong("changed"));
        Map<String, String> after = bodies(t);
        assertTrue(after.values().stream().allMatch(b -> b.contains("\"region\": \"eu\"")), "every document migrated");
        try (Connection c = cluster.connect()) {
            assertEquals("1000", scalar(c, "select count(*)::text from docshift.migration_backup where run_id = " + run.getLong("runId")));
        }
        long rollback = given().post("/api/migrations/runs/" + run.getLong("runId") + "/rollback").then().statusCode(202).extract().jsonPath().getLong("runId");
        var rolled = Runs.awaitEnd(rollback, Duration.ofMinutes(2));
        assertEquals("completed", rolled.getString("state"), rolled.prettify());
        assertEquals(1_000, rolled.getLong("changed"));
        assertEquals(before, bodies(t), "every body back, byte for byte");
    }

    @Test
    void aTransitionSweepsExactlyAndItsRollbackAfterActivationRestoresEveryByte() throws Exception {
        String t = "citus_accounts";
        String v1 = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"region\":{\"type\":\"string\",\"optional\":true}}}}}";
        given().contentType(ContentType.JSON).body(v1).put("/api/schema").then().statusCode(200);
        // 600 without a region (the default changes them), 300 with one (only stamped with the new version)
        Bulk.insert(t, 900, i -> "{\"name\":\"a" + i + "\"" + (i % 3 == 0 ? ",\"region\":\"us\"" : "") + "}");
        Map<String, String> before = bodies(t);
        Runs.define("citus_default_region", "{\"table\":\"" + t + "\",\"backup\":true,\"steps\":[{\"op\":\"setDefault\",\"field\":\"region\",\"value\":\"eu\"}]}");
        String v2 = v1.replace(",\"optional\":true", "");
        given().contentType(ContentType.JSON).body(v2.substring(0, v2.length() - 1) + ",\"migrations\":[\"citus_default_region\"]}").put("/api/schema")
                .then().statusCode(202);
        io.docshift.support.RawClients.await("the transition active", Duration.ofMinutes(2), () -> transitionState().equals("active") || transitionState().equals("failed"));
        io.restassured.path.json.JsonPath transition = given().get("/api/schema/transition").then().extract().jsonPath();
        assertEquals("active", transition.getString("state"), transition.prettify());
        assertEquals(600, transition.getLong("migrations[0].changed"));
        assertEquals(300, transition.getLong("migrations[0].stamped"));
        Map<String, String> after = bodies(t);
        assertEquals(300, after.values().stream().filter(b -> b.contains("\"region\": \"us\"")).count());
        assertEquals(600, after.values().stream().filter(b -> b.contains("\"region\": \"eu\"")).count());
        given().post("/api/schema/transition/rollback").then().statusCode(202);
        io.docshift.support.RawClients.await("the transition rolled back", Duration.ofMinutes(2), () -> transitionState().equals("rolledBack")
                || transitionState().equals("failed"));
        assertEquals("rolledBack", transitionState(), given().get("/api/schema/transition").then().extract().asString());
        assertEquals(before, bodies(t), "every body back, byte for byte");
    }

    private static String transitionState() {
        return given().get("/api/schema/transition").then().statusCode(200).extract().path("state");
    }

    @Test
    void aMigrationEvaluatedInTheJvmWithBackupsIsExactAndItsRollbackRestoresEveryByte() throws Exception {
        String t = "citus_jvm";
        Bulk.insert(t, 600, i -> "{\"name\":\"C" + i + "\"" + (i % 2 == 0 ? ",\"status\":\"gone\"" : "") + "}");
        Map<String, String> before = bodies(t);
        // string() is evaluated only in the JVM: the run goes through the Java path (read, migrate, write back)
        Runs.define("citus_status_jvm", "{\"table\":\"" + t + "\",\"backup\":true,\"steps\":[{\"op\":\"set\",\"field\":\"status\","
                + "\"expr\":\"has(doc.status) ? doc.status : string('active')\"}]}");
        var run = Runs.awaitEnd(Runs.start("citus_status_jvm", "{}"), Duration.ofMinutes(2));
        assertEquals("completed", run.getString("state"), run.prettify());
        assertEquals(300, run.getLong("changed"));
        assertEquals(300, bodies(t).values().stream().filter(b -> b.contains("\"status\": \"active\"")).count());
        long rollback = given().post("/api/migrations/runs/" + run.getLong("runId") + "/rollback").then().statusCode(202).extract().jsonPath().getLong("runId");
        var rolled = Runs.awaitEnd(rollback, Duration.ofMinutes(2));
        assertEquals("completed", rolled.getString("state"), rolled.prettify());
        assertEquals(300, rolled.getLong("changed"));
        assertEquals(before, bodies(t), "every body back, byte for byte");
    }

    @Test
    void exportAndImportMoveEveryDocumentOnce() throws Exception {
        String t = "citus_export";
        List<String> ids = Bulk.insert(t, 120, i -> "{\"n\":" + i + "}");
        String export = given().queryParam("table", t).get("/api/export").then().statusCode(200).extract().asString();
        List<String> exported = export.lines().filter(l -> l.contains("\"kind\":\"document\"")).toList();
        assertEquals(120, exported.size());
        assertTrue(ids.stream().allMatch(id -> export.contains("\"_id\":\"" + id + "\"")));

        StringBuilder lines = new StringBuilder();
        for (String l : exported) {
            lines.append(io.docshift.json.Json.MAPPER.readTree(l).get("document").toString()).append('\n');
        }
        long id = given().contentType(ContentType.JSON).body("{\"table\":\"citus_copy\",\"mode\":\"append\"}").post("/api/imports")
                .then().statusCode(201).extract().jsonPath().getLong("importId");
        given().contentType("application/x-ndjson").queryParam("first", 1).body(lines.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/api/imports/" + id + "/lines")
                .then().statusCode(200).body("violating", equalTo(0));
        given().post("/api/imports/" + id + "/commit").then().statusCode(200).body("imported", equalTo(120));
        given().get("/api/tables").then().body("find { it.name == 'citus_copy' }.documents", equalTo(120));
        assertEquals(new java.util.TreeSet<>(bodies(t).values()), new java.util.TreeSet<>(bodies("citus_copy").values()), "the same bodies");
    }

    private Map<String, String> bodies(String table) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Connection c = cluster.connect();
             PreparedStatement p = c.prepareStatement("select id::text, data::text from " + physical(c, table));
             ResultSet r = p.executeQuery()) {
            while (r.next()) {
                out.put(r.getString(1), r.getString(2));
            }
        }
        return out;
    }

    private static String physical(Connection c, String table) throws Exception {
        return "docshift_data.doc_" + scalar(c, "select number::text from docshift.doc_table where name = '" + table + "'");
    }

    private static String scalar(Connection c, String sql) throws Exception {
        try (PreparedStatement p = c.prepareStatement(sql); ResultSet r = p.executeQuery()) {
            return r.next() ? r.getString(1) : null;
        }
    }
}
