package io.docshift.migration;

import io.docshift.support.Bulk;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.docshift.support.Api.docs;
import static io.docshift.support.Api.insert;
import static io.docshift.support.Api.problem;
import static io.docshift.support.Management.management;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every step type on the seed's data, and the run API: dry runs, skips, cancel, resume, drift, failures. */
@QuarkusTest
class MigrationResourceTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    static String name(String prefix) {
        return TestDb.freshTable(prefix);
    }

    static List<Map<String, Object>> all(String table) {
        return given().queryParam("limit", 1000).get(docs(table)).then().statusCode(200).extract().jsonPath().getList("page");
    }

    static JsonPath migrate(String table, String steps) throws InterruptedException {
        String m = name("m");
        Runs.define(m, "{\"table\":\"" + table + "\",\"steps\":" + steps + "}");
        JsonPath run = Runs.awaitEnd(Runs.start(m, "{}"), WAIT);
        assertEquals("completed", run.getString("state"), run.prettify());
        return run;
    }

    @Test
    void setDefaultBackfillsOnlyWhereMissing() throws Exception {
        String customers = name("customers");
        Bulk.insert(customers, 1000, i -> i % 2 == 0 ? "{\"orgId\":\"o\",\"name\":\"C" + i + "\"}" : "{\"orgId\":\"o\",\"name\":\"C" + i + "\",\"status\":\"completed\"}");
        JsonPath run = migrate(customers, "[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"active\"}]");
        assertEquals(1000, run.getLong("processed"));
        assertEquals(500, run.getLong("changed"));
        assertEquals(500, TestDb.scalar("select count(*) from " + TestDb.physical(customers) + " where data->>'status' = 'active'"));
        assertEquals(500, TestDb.scalar("select count(*) from " + TestDb.physical(customers) + " where data->>'status' = 'completed'"));
    }

    @Test
    void setCopiesAConstantOrAnotherField() throws Exception {
        String customers = name("customers");
        insert(customers, "{\"name\":\"Ada\"}");
        insert(customers, "{\"nick\":\"G\"}");
        migrate(customers, "[{\"op\":\"set\",\"field\":\"tier\",\"value\":{\"level\":1}},{\"op\":\"set\",\"field\":\"displayName\",\"from\":\"name\"}]");
        List<Map<String, Object>> docs = all(customers);
        assertEquals(Map.of("level", 1), docs.get(0).get("tier"));
        assertEquals("Ada", docs.get(0).get("displayName"));
        assertTrue(!docs.get(1).containsKey("displayName"), "no source, no copy");
    }

    @Test
    void renameMovesNameToFullName() throws Exception {
        String customers = name("customers");
        insert(customers, "{\"orgId\":\"o\",\"name\":\"Ada Lovelace\"}");
        insert(customers, "{\"orgId\":\"o\",\"fullName\":\"Already\"}");
        migrate(customers, "[{\"op\":\"rename\",\"from\":\"name\",\"to\":\"fullName\"}]");
        List<Map<String, Object>> docs = all(customers);
        assertEquals("Ada Lovelace", docs.get(0).get("fullName"));
        assertTrue(!docs.get(0).containsKey("name"));
        assertEquals("Already", docs.get(1).get("fullName"));
    }

    @Test
    void unsetCleansUpALegacyField() throws Exception {
        String customers = name("customers");
        Bulk.insert(customers, 10, i -> "{\"name\":\"n\",\"legacyField\":\"old\"}");
        JsonPath run = migrate(customers, "[{\"op\":\"unset\",\"field\":\"legacyField\"}]");
        assertEquals(10, run.getLong("changed"));
        assertEquals(0, TestDb.scalar("select count(*) from " + TestDb.physical(customers) + " where data ? 'legacyField'"));
    }

    @Test
    void splitTakesTheFirstPartAndJoinsTheRestLikeTheSeed() throws Exception {
        String users = name("users");
        insert(users, "{\"name\":\"Ada Lovelace\"}");
        insert(users, "{\"name\":\"Plato\"}");
        insert(users, "{\"name\":\"Johann Sebastian Bach\"}");
        insert(users, "{\"other\":1}");
        migrate(users, "[{\"op\":\"split\",\"field\":\"name\",\"separator\":\" \",\"into\":[\"firstName\",\"lastName\"]}]");
        List<Map<String, Object>> docs = all(users);
        assertEquals(List.of("Ada", "Lovelace"), List.of(docs.get(0).get("firstName"), docs.get(0).get("lastName")));
        assertEquals(List.of("Plato", ""), List.of(docs.get(1).get("firstName"), docs.get(1).get("lastName")));
        assertEquals(List.of("Johann", "Sebastian Bach"), List.of(docs.get(2).get("firstName"), docs.get(2).get("lastName")));
        assertEquals("Ada Lovelace", docs.get(0).get("name"), "the source stays; unset it in a later step if wanted");
        assertEquals(List.of("", ""), List.of(docs.get(3).get("firstName"), docs.get(3).get("lastName")),
                "no name gives both parts \"\", as the seed's user.name?.split(\" \") || [\"\", \"\"]");
    }

    @Test
    void convertChangesTypes() throws Exception {
        String t = name("convert");
        insert(t, "{\"n\":\"42\",\"s\":7,\"b\":\"TRUE\",\"z\":0}");
        insert(t, "{\"n\":1.5,\"s\":\"x\",\"b\":false,\"z\":\"false\"}");
        migrate(t, "[{\"op\":\"convert\",\"field\":\"n\",\"to\":\"number\"},{\"op\":\"convert\",\"field\":\"s\",\"to\":\"string\"},"
                + "{\"op\":\"convert\",\"field\":\"b\",\"to\":\"boolean\"},{\"op\":\"convert\",\"field\":\"z\",\"to\":\"boolean\"}]");
        List<Map<String, Object>> docs = all(t);
        assertEquals(42, docs.get(0).get("n"));
        assertEquals("7", docs.get(0).get("s"));
        assertEquals(true, docs.get(0).get("b"));
        assertEquals(false, docs.get(0).get("z"));
        assertEquals(1.5f, docs.get(1).get("n"));
        assertEquals(false, docs.get(1).get("z"));
    }

    @Test
    void countRelatedDenormalizesProjectCountsLikeTheSeed() throws Exception {
        String customers = name("customers");
        String projects = name("projects");
        List<String> ids = Bulk.insert(customers, 3, i -> "{\"name\":\"C" + i + "\"}");
        Bulk.insert(projects, 6, i -> "{\"customerId\":\"" + ids.get(i < 3 ? 0 : i < 5 ? 1 : 1) + "\",\"name\":\"P" + i + "\"}");
        migrate(customers, "[{\"op\":\"countRelated\",\"field\":\"projectCount\",\"table\":\"" + projects + "\",\"foreignKey\":\"customerId\"}]");
        List<Map<String, Object>> docs = all(customers);
        assertEquals(List.of(3, 3, 0), docs.stream().map(d -> d.get("projectCount")).toList());
    }

    @Test
    void dottedPathsReachNestedFields() throws Exception {
        String t = name("nested");
        insert(t, "{\"address\":{\"city\":\"Paris\"},\"contact\":{\"mail\":\"a@b\"}}");
        migrate(t, "[{\"op\":\"setDefault\",\"field\":\"address.country\",\"value\":\"FR\"},{\"op\":\"rename\",\"from\":\"contact.mail\",\"to\":\"contact.email\"}]");
        Map<String, Object> doc = all(t).get(0);
        assertEquals(Map.of("city", "Paris", "country", "FR"), doc.get("address"));
        assertEquals(Map.of("email", "a@b"), doc.get("contact"));
    }

    @Test
    void aDryRunShowsBeforeAndAfterAndWritesNothing() throws Exception {
        String customers = name("customers");
        Bulk.insert(customers, 30, i -> i < 20 ? "{\"name\":\"C" + i + "\"}" : "{\"name\":\"C" + i + "\",\"status\":\"x\"}");
        String m = name("m");
        Runs.define(m, "{\"table\":\"" + customers + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"active\"}]}");
        long before = checksum(customers);
        given().contentType(ContentType.JSON).body("{\"dryRun\":true,\"limit\":5}").post("/api/migrations/" + m + "/runs")
                .then().statusCode(200)
                .body("examined", equalTo(30))
                .body("wouldChange", equalTo(20))
                .body("documents", hasSize(5))
                .body("documents[0].before", not(hasKey("status")))
                .body("documents[0].after.status", equalTo("active"))
                .body("documents[0]._id", notNullValue());
        assertEquals(before, checksum(customers));
        given().get("/api/migrations/" + m).then().body("runs", hasSize(0));
    }

    @Test
    void aCompletedMigrationIsSkippedUnlessRerunIsAsked() throws Exception {
        String t = name("skip");
        insert(t, "{\"a\":1}");
        String m = name("m");
        Runs.define(m, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"b\",\"value\":2}]}");
        long first = Runs.start(m, "{}");
        Runs.awaitEnd(first, WAIT);
        given().contentType(ContentType.JSON).body("{}").post("/api/migrations/" + m + "/runs")
                .then().statusCode(200).body("skipped", equalTo(true)).body("completedRun", equalTo((int) first));
        long second = Runs.start(m, "{\"rerun\":true}");
        assertEquals("completed", Runs.awaitEnd(second, WAIT).getString("state"));
        given().get("/api/migrations/log").then().statusCode(200)
                .body("find { it.runId == " + second + " }.name", equalTo(m))
                .body("find { it.runId == " + second + " }.processed", equalTo(1))
                .body("find { it.runId == " + second + " }.durationMs", notNullValue());
    }

    @Test
    void cancelStopsARunAndResumeContinuesFromItsPositionChangingEachDocumentOnce() throws Exception {
        String t = name("cancel");
        Bulk.insert(t, 3000, i -> "{\"v\":\"orig" + i + "\",\"orig\":\"orig" + i + "\"}");
        String m = name("m");
        // a second application would overwrite w with "second": the effect shows double processing
        Runs.define(m, "{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":600,\"steps\":["
                + "{\"op\":\"rename\",\"from\":\"v\",\"to\":\"w\"},{\"op\":\"set\",\"field\":\"v\",\"value\":\"second\"}]}");
        long run = Runs.start(m, "{}");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (Runs.get(run).getLong("processed") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        given().post("/api/migrations/runs/" + run + "/cancel").then().statusCode(200).body("state", equalTo("cancelled"));
        JsonPath cancelled = Runs.awaitEnd(run, WAIT);
        long processedAtCancel = cancelled.getLong("processed");
        assertTrue(processedAtCancel > 0 && processedAtCancel < 3000, "cancelled mid-run at " + processedAtCancel);
        problem(given().post("/api/migrations/runs/" + run + "/cancel").then(), 409, null);
        given().post("/api/migrations/runs/" + run + "/resume").then().statusCode(200).body("state", equalTo("pending"));
        JsonPath done = Runs.awaitEnd(run, WAIT);
        assertEquals("completed", done.getString("state"));
        assertEquals(3000, done.getLong("processed"));
        assertEquals(3000, done.getLong("changed"));
        String table = TestDb.physical(t);
        assertEquals(3000, TestDb.scalar("select count(*) from " + table + " where data->'w' = data->'orig' and data->>'v' = 'second'"));
    }

    @Test
    void F12_changingACompletedMigrationIsChecksumDrift() throws Exception {
        String t = name("drift");
        insert(t, "{\"a\":1}");
        String m = name("m");
        String v1 = "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"b\",\"value\":1}]}";
        given().contentType(ContentType.JSON).body(v1).put("/api/migrations/" + m).then().statusCode(201).body("checksum", matchesPattern("[0-9a-f]{64}"));
        // before any run, a definition may still change
        given().contentType(ContentType.JSON).body(v1.replace("\"value\":1", "\"value\":3")).put("/api/migrations/" + m).then().statusCode(200);
        given().contentType(ContentType.JSON).body(v1).put("/api/migrations/" + m).then().statusCode(200);
        Runs.awaitEnd(Runs.start(m, "{}"), WAIT);
        given().contentType(ContentType.JSON).body(v1).put("/api/migrations/" + m).then().statusCode(200);
        problem(given().contentType(ContentType.JSON).body(v1.replace("\"value\":1", "\"value\":2")).put("/api/migrations/" + m).then(), 409, null)
                .body("detail", containsString("checksum"));
        given().contentType(ContentType.JSON).body(v1.replace("\"value\":1", "\"value\":2")).put("/api/migrations/" + m + "_v2").then().statusCode(201);
    }

    @Test
    void F15_aStepThatFailsOnOneDocumentFailsTheRunNamingItAndResumeFinishesAfterTheFix() throws Exception {
        String t = name("fails");
        List<String> ids = Bulk.insert(t, 500, i -> "{\"n\":\"" + (i == 321 ? "not a number" : Integer.toString(i)) + "\"}");
        String m = name("m");
        Runs.define(m, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"convert\",\"field\":\"n\",\"to\":\"number\"}]}");
        long run = Runs.start(m, "{}");
        JsonPath failed = Runs.awaitEnd(run, WAIT);
        assertEquals("failed", failed.getString("state"));
        assertEquals(ids.get(321), failed.getString("error._id"));
        assertTrue(failed.getString("error.message").contains("not a number"), failed.getString("error.message"));
        given().contentType(ContentType.JSON).body("{\"n\":\"321\"}").patch(docs(t) + "/" + ids.get(321)).then().statusCode(200);
        given().post("/api/migrations/runs/" + run + "/resume").then().statusCode(200);
        assertEquals("completed", Runs.awaitEnd(run, WAIT).getString("state"));
        assertEquals(0, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where jsonb_typeof(data->'n') <> 'number'"));
    }

    @Test
    void aJavaMigrationRunsLikeAnyOther() throws Exception {
        String t = AppendVisitMigration.TABLE;
        String physicalBefore = TestDb.tableExists(t) ? TestDb.physical(t) : null;
        if (physicalBefore != null) {
            try (var c = TestDb.connect()) {
                c.createStatement().execute("delete from " + physicalBefore);
            }
        }
        List<String> ids = Bulk.insert(t, 250, i -> i == 7 ? "{\"skip\":true}" : i == 9 ? "{\"raceMe\":true}" : "{\"n\":" + i + "}");
        given().get("/api/migrations/appendVisit").then().statusCode(200).body("kind", equalTo("java"));
        given().contentType(ContentType.JSON).body("{\"dryRun\":true,\"args\":{\"mark\":\"d\"}}").post("/api/migrations/appendVisit/runs")
                .then().statusCode(200).body("examined", equalTo(250)).body("wouldChange", equalTo(249)).body("documents[0].after.visits", equalTo("d"));
        JsonPath run = Runs.awaitEnd(Runs.start("appendVisit", "{\"args\":{\"mark\":\"a\",\"race\":true},\"rerun\":true,\"force\":true}"), WAIT);
        assertEquals("completed", run.getString("state"));
        assertEquals(250, run.getLong("processed"));
        assertEquals(249, run.getLong("changed"));
        assertEquals(249, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->>'visits' = 'a'"));
        // a client wrote document 9 between the migration's read and its write: the client's write survives
        given().get(docs(t) + "/" + ids.get(9)).then().body("client", equalTo("won")).body("visits", equalTo("a"));
        given().contentType(ContentType.JSON).body("{\"poison\":true}").put(docs(t) + "/" + ids.get(100)).then().statusCode(200);
        // a dry run that meets the poisoned document says which one, as a 422, and writes nothing
        problem(given().contentType(ContentType.JSON).body("{\"dryRun\":true}").post("/api/migrations/appendVisit/runs").then(), 422, "/" + ids.get(100))
                .body("detail", containsString("poisoned document"));
        JsonPath failed = Runs.awaitEnd(Runs.start("appendVisit", "{\"args\":{\"mark\":\"b\"},\"rerun\":true,\"force\":true}"), WAIT);
        assertEquals("failed", failed.getString("state"));
        assertEquals(ids.get(100), failed.getString("error._id"));
        assertTrue(failed.getString("error.message").contains("poisoned document"));
        problem(given().contentType(ContentType.JSON).body("{\"table\":\"x\",\"steps\":[{\"op\":\"unset\",\"field\":\"a\"}]}")
                .put("/api/migrations/appendVisit").then(), 409, null);
    }

    @Test
    void aRunOutsideItsTimeWindowWaits() throws Exception {
        String t = name("window");
        insert(t, "{\"a\":1}");
        String m = name("m");
        Runs.define(m, "{\"table\":\"" + t + "\",\"window\":{\"cron\":\"0 0 3 1 1 ? 2099\",\"duration\":\"PT1H\"},"
                + "\"steps\":[{\"op\":\"setDefault\",\"field\":\"b\",\"value\":1}]}");
        long run = Runs.start(m, "{}");
        // two poll intervals: any worker that could have started it has looked at it by then
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (System.nanoTime() < until) {
            assertEquals(0, Runs.get(run).getLong("processed"));
            Thread.sleep(200);
        }
        assertTrue(Runs.get(run).getString("state").matches("pending|running"));
        given().post("/api/migrations/runs/" + run + "/cancel").then().statusCode(200);
    }

    @Test
    void badDefinitionsAndRequestsAre4xx() {
        String t = name("bad");
        String url = "/api/migrations/" + name("m");
        problem(given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"explode\"}]}").put(url).then(), 400, "/steps/0/op");
        problem(given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[]}").put(url).then(), 400, "/steps");
        problem(given().contentType(ContentType.JSON).body("{\"table\":\"1x\",\"steps\":[{\"op\":\"unset\",\"field\":\"a\"}]}").put(url).then(), 400, "/table");
        problem(given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"rename\",\"from\":\"a\",\"to\":\"a\"}]}").put(url).then(), 400, "/steps/0/to");
        problem(given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"unset\",\"field\":\"_id\"}]}").put(url).then(), 400, "/steps/0/field");
        problem(given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"set\",\"field\":\"a'); drop table x; --\",\"value\":1}]}").put(url).then(), 400, "/steps/0/field");
        problem(given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"convert\",\"field\":\"a\",\"to\":\"date\"}]}").put(url).then(), 400, "/steps/0/to");
        problem(given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"split\",\"field\":\"a\",\"separator\":\"\",\"into\":[\"b\"]}]}").put(url).then(), 400, null);
        problem(given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"window\":{\"cron\":\"every day\",\"duration\":\"PT1H\"},\"steps\":[{\"op\":\"unset\",\"field\":\"a\"}]}").put(url).then(), 400, "/window/cron");
        problem(given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"unset\",\"field\":\"a\"}],\"mystery\":1}").put(url).then(), 400, "/mystery");
        problem(given().contentType(ContentType.JSON).body("{}").put("/api/migrations/bad-name").then(), 400, "name");
        problem(given().get("/api/migrations/" + name("none")).then(), 404, null);
        problem(given().contentType(ContentType.JSON).body("{}").post("/api/migrations/" + name("none") + "/runs").then(), 404, null);
        problem(given().get("/api/migrations/runs/999999999").then(), 404, null);
        problem(given().get("/api/migrations/runs/abc").then(), 404, null);
        String m = name("m");
        Runs.define(m, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"unset\",\"field\":\"a\"}]}");
        problem(given().contentType(ContentType.JSON).body("{\"dryrun\":true}").post("/api/migrations/" + m + "/runs").then(), 400, "/dryrun");
        problem(given().contentType(ContentType.JSON).body("{\"dryRun\":\"yes\"}").post("/api/migrations/" + m + "/runs").then(), 400, "/dryRun");
        problem(given().contentType(ContentType.JSON).body("{\"args\":[1]}").post("/api/migrations/" + m + "/runs").then(), 400, "/args");
        assertNull(given().get("/api/migrations/" + m).then().extract().path("latestRun"));
    }

    @Test
    void migrationsAreListedWithTheirLatestRunAndMetricsCount() throws Exception {
        String t = name("listed");
        Bulk.insert(t, 20, i -> "{\"a\":" + i + "}");
        String m = name("m");
        Runs.define(m, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"b\",\"value\":true}]}");
        long run = Runs.start(m, "{}");
        Runs.awaitEnd(run, WAIT);
        given().get("/api/migrations").then().statusCode(200)
                .body("find { it.name == '" + m + "' }.latestRun.runId", equalTo((int) run))
                .body("find { it.name == '" + m + "' }.latestRun.state", equalTo("completed"));
        given().get("/api/migrations/runs/" + run).then()
                .body("total", equalTo(20)).body("owner", notNullValue()).body("documentsPerSecond", greaterThan(0f))
                .body("startedAt", notNullValue()).body("finishedAt", notNullValue());
        management().get("/q/metrics").then()
                .body(containsString("docshift_migration_documents_processed_total{migration=\"" + m + "\"} 20.0"))
                .body(containsString("docshift_migration_documents_changed_total{migration=\"" + m + "\"} 20.0"))
                .body(containsString("docshift_migration_running{migration=\"" + m + "\"} 0.0"));
    }

    private static long checksum(String table) {
        return TestDb.scalar("select coalesce(sum(hashtext(id::text || data::text || revision::text)), 0) from " + TestDb.physical(table));
    }
}
