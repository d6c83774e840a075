package io.docshift.migration;

import io.docshift.support.Api;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static io.docshift.support.Api.problem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.oneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Operator actions racing each other and the worker: concurrent run requests, cancel and resume mid-batch, a
 * definition changed under its run, and runs whose results the schema would reject.
 */
@QuarkusTest
class RunOperatorRacesTest {

    static final Duration WAIT = Duration.ofMinutes(2);

    @TestHTTPResource("/")
    URI base;

    @Test
    void twentyConcurrentRunRequestsStartExactlyOneRunAndTheOthersAre409NamingIt() throws Exception {
        String t = TestDb.freshTable("race");
        Api.insert(t, "{\"a\":0}");
        TestDb.bulkLoad(t, 5_000, "jsonb_build_object('a', g)");
        String m = "race_" + t;
        // throttled, so the run is still active when the last request lands
        Runs.define(m, "{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":200,\"steps\":[{\"op\":\"setDefault\",\"field\":\"b\",\"value\":1}]}");
        HttpClient http = HttpClient.newHttpClient();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(20);
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(CompletableFuture.supplyAsync(() -> {
                try {
                    go.await();
                    return http.send(HttpRequest.newBuilder(base.resolve("/api/migrations/" + m + "/runs"))
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
                            HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, pool));
        }
        go.countDown();
        List<HttpResponse<String>> responses = sent.stream().map(CompletableFuture::join).toList();
        pool.shutdown();
        List<HttpResponse<String>> started = responses.stream().filter(r -> r.statusCode() == 202).toList();
        assertEquals(1, started.size(), "exactly one 202: " + responses.stream().map(HttpResponse::statusCode).toList());
        long runId = new JsonPath(started.get(0).body()).getLong("runId");
        for (HttpResponse<String> r : responses) {
            if (r.statusCode() != 202) {
                assertEquals(409, r.statusCode(), r.body());
                assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
                assertEquals(runId, new JsonPath(r.body()).getLong("runId"), "the 409 names the run that holds the migration: " + r.body());
                assertTrue(r.body().contains("run " + runId), r.body());
            }
        }
        assertEquals(1, TestDb.scalar("select count(*) from docshift.migration_run where migration = '" + m + "'"), "one run in the database");

        // its definition cannot change under it
        problem(given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"b\",\"value\":2}]}")
                .put("/api/migrations/" + m).then(), 409, null).body("runId", equalTo((int) runId));
        given().post("/api/migrations/runs/" + runId + "/cancel").then().statusCode(200).body("state", equalTo("cancelled"));
        problem(given().post("/api/migrations/runs/" + runId + "/cancel").then(), 409, null).body("state", equalTo("cancelled"));
        // once it is cancelled, a new definition is fine again (nothing completed with the old one)
        given().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"b\",\"value\":2}]}")
                .put("/api/migrations/" + m).then().statusCode(200);
    }

    @Test
    void cancelAndResumeMidBatchNeverApplyANonIdempotentJavaMigrationTwice() throws Exception {
        int documents = 200_000;
        String t = AppendToArrayMigration.TABLE;
        if (TestDb.tableExists(t)) {
            try (var c = TestDb.connect()) {
                c.createStatement().execute("delete from " + TestDb.physical(t));
            }
        } else {
            Api.insert(t, "{\"n\":0}");
            try (var c = TestDb.connect()) {
                c.createStatement().execute("delete from " + TestDb.physical(t));
            }
        }
        TestDb.bulkLoad(t, documents, "jsonb_build_object('n', g)");
        long run = Runs.start("appendToArray", "{\"args\":{\"mark\":\"once\"},\"rerun\":true,\"force\":true}");
        int cycles = 0;
        long seen = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath now = Runs.get(run);
            if (now.getString("state").equals("completed")) {
                break;
            }
            if (now.getString("state").equals("running") && now.getLong("processed") > seen) {
                // a batch committed and the next one is under way: cancel it, and resume at once
                seen = now.getLong("processed");
                int cancel = given().post("/api/migrations/runs/" + run + "/cancel").then().statusCode(oneOf(200, 409)).extract().statusCode();
                if (cancel == 200) {
                    given().post("/api/migrations/runs/" + run + "/resume").then().statusCode(200).body("state", equalTo("pending"));
                    cycles++;
                }
            }
            Thread.sleep(5);
        }
        JsonPath done = Runs.awaitEnd(run, WAIT);
        assertEquals("completed", done.getString("state"), done.prettify());
        assertTrue(cycles >= 5, "cancelled and resumed " + cycles + " times mid-run");
        assertEquals(documents, done.getLong("processed"), "processed counts each document once");
        assertEquals(documents, done.getLong("changed"), "changed counts each document once");
        String physical = TestDb.physical(t);
        assertEquals(documents, TestDb.scalar("select count(*) from " + physical + " where data->'visits' = '[\"once\"]'::jsonb"),
                "every document was migrated exactly once");
        System.out.printf("exactly once: %d cancel/resume cycles over %d documents%n", cycles, documents);
    }

    @Test
    void aRunWhoseResultsTheSchemaRejectsFailsNamingTheFirstDocumentAndStoresNone() throws Exception {
        String t = TestDb.freshTable("enforced");
        given().contentType(ContentType.JSON).body("{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},"
                + "\"tier\":{\"type\":\"string\",\"optional\":true}}}}}").put("/api/schema").then().statusCode(200);
        List<String> ids = io.docshift.support.Bulk.insert(t, 5_000, i -> "{\"name\":\"n" + i + "\"}");
        String m = "unsetRequired_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"unset\",\"field\":\"name\"}]}");
        JsonPath failed = Runs.awaitEnd(Runs.start(m, "{}"), WAIT);
        assertEquals("failed", failed.getString("state"), failed.prettify());
        assertEquals(ids.get(0), failed.getString("error._id"), "the first document of the first batch is named");
        assertTrue(failed.getString("error.message").contains("/name"), failed.getString("error.message"));
        assertEquals(0, failed.getLong("changed"));
        assertEquals(5_000, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data ? 'name'"), "no invalid document was stored");

        // a step the schema allows runs as ever
        String ok = "setTier_" + t;
        Runs.define(ok, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"tier\",\"value\":\"basic\"}]}");
        assertEquals("completed", Runs.awaitEnd(Runs.start(ok, "{}"), WAIT).getString("state"));
    }

    @Test
    void aRollbackWhoseSavedBodiesNoLongerFitTheSchemaIsRefusedWithCountsAndChangesNothing() throws Exception {
        String t = TestDb.freshTable("restore");
        String loose = "{\"tables\":{\"" + t + "\":{\"document\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"string\",\"optional\":true}}}}}";
        given().contentType(ContentType.JSON).body(loose).put("/api/schema").then().statusCode(200);
        io.docshift.support.Bulk.insert(t, 300, i -> "{\"a\":" + i + "}");
        String m = "backfillB_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"backup\":true,\"steps\":[{\"op\":\"setDefault\",\"field\":\"b\",\"value\":\"x\"}]}");
        long run = Runs.start(m, "{}");
        assertEquals("completed", Runs.awaitEnd(run, WAIT).getString("state"));
        // now b is required: the saved bodies (without b) no longer fit
        given().contentType(ContentType.JSON).body(loose.replace(",\"optional\":true", "")).put("/api/schema").then().statusCode(200);
        problem(given().post("/api/migrations/runs/" + run + "/rollback").then(), 409, null)
                .body("detail", containsString("300 document(s)")).body("violations[0].path", containsString("/b"));
        assertEquals(300, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->>'b' = 'x'"), "nothing changed");
        assertEquals(0, TestDb.scalar("select count(*) from docshift.migration_run where rollback_of = " + run));
    }
}
