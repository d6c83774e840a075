package io.docshift.migration;

import io.docshift.support.AppProcess;
import io.docshift.support.TestDb;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three packaged Docshift processes, each with its own connection pool, share one migration over 200,000
 * documents; the one working it is killed with SIGKILL mid-run. The run must complete, every document must
 * be changed exactly once, and another process must take over within two poll intervals.
 */
class MigrationTakeoverIT {

    static final int DOCUMENTS = 200_000;
    static final Duration POLL = Duration.ofSeconds(2);

    @Test
    void F1_F7_aKilledWorkerIsReplacedWithinTwoPollsAndEveryDocumentChangesOnce() throws Exception {
        List<AppProcess> pods = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                pods.add(AppProcess.start("takeover-" + i, Map.of("docshift.migrations.poll", POLL.toSeconds() + "s")));
            }
            for (AppProcess pod : pods) {
                pod.awaitReady(Duration.ofSeconds(90));
            }
            String api = pods.get(0).baseUri();
            String table = TestDb.freshTable("takeover");
            given().baseUri(api).contentType(ContentType.JSON).body("{\"seed\":true}").post("/api/tables/" + table + "/documents").then().statusCode(201);
            TestDb.bulkLoad(table, DOCUMENTS - 1, "jsonb_build_object('v', 'orig' || g, 'orig', 'orig' || g)");
            try (var c = TestDb.connect()) {
                c.createStatement().execute("update " + TestDb.physical(table) + " set data = '{\"v\":\"orig0\",\"orig\":\"orig0\"}' where data ? 'seed'");
            }
            String name = TestDb.freshTable("takeover_m");
            // a second application of this pair would set w to "second": double processing would show
            given().baseUri(api).contentType(ContentType.JSON)
                    .body("{\"table\":\"" + table + "\",\"steps\":[{\"op\":\"rename\",\"from\":\"v\",\"to\":\"w\"},{\"op\":\"set\",\"field\":\"v\",\"value\":\"second\"}]}")
                    .put("/api/migrations/" + name).then().statusCode(201);
            long run = given().baseUri(api).contentType(ContentType.JSON).body("{}").post("/api/migrations/" + name + "/runs")
                    .then().statusCode(202).extract().jsonPath().getLong("runId");

            // wait until it is well under way, then kill whoever holds it
            JsonPath state = awaitProgress(pods, run, 20_000);
            String victimOwner = state.getString("owner");
            AppProcess victim = pods.stream().filter(p -> victimOwner.startsWith(p.name() + "-")).findFirst().orElseThrow();
            long processedAtKill = state.getLong("processed");
            victim.kill();
            long killedAt = System.nanoTime();
            pods.remove(victim);

            // takeover: another worker claims the run
            String survivor = pods.get(0).baseUri();
            String newOwner = null;
            long takeoverMillis = -1;
            while (System.nanoTime() - killedAt < Duration.ofSeconds(30).toNanos()) {
                JsonPath now = given().baseUri(survivor).get("/api/migrations/runs/" + run).then().extract().jsonPath();
                if (!victimOwner.equals(now.getString("owner")) || "completed".equals(now.getString("state"))) {
                    newOwner = now.getString("owner");
                    takeoverMillis = (System.nanoTime() - killedAt) / 1_000_000;
                    break;
                }
                Thread.sleep(20);
            }
            assertNotEquals(victimOwner, newOwner, "another worker took the run");
            assertTrue(takeoverMillis <= 2 * POLL.toMillis(), "takeover after " + takeoverMillis + " ms, more than two poll intervals");

            JsonPath done = awaitEnd(survivor, run);
            assertEquals("completed", done.getString("state"), done.prettify());
            assertEquals(DOCUMENTS, done.getLong("processed"));
            assertEquals(DOCUMENTS, done.getLong("changed"));
            String physical = TestDb.physical(table);
            assertEquals(DOCUMENTS, TestDb.scalar("select count(*) from " + physical + " where data->'w' = data->'orig' and data->>'v' = 'second'"),
                    "every document changed exactly once");
            System.out.printf("takeover: killed %s at %d processed; %s took over in %d ms%n", victimOwner, processedAtKill, newOwner, takeoverMillis);
        } finally {
            for (AppProcess pod : pods) {
                pod.close();
            }
        }
    }

    @Test
    void F5_aPausedWorkerLosesItsRunAndCannotApplyABatchTwiceWhenItWakes() throws Exception {
        exercise("paused", (victim) -> {
            victim.pause();
            return () -> victim.resume();
        }, Duration.ofSeconds(3));
    }

    private interface Fault {
        /** Does something to the worker holding the run; returns what undoes it, if anything. */
        Undo apply(AppProcess victim) throws Exception;
    }

    private interface Undo {
        void run() throws Exception;
    }

    /** Two pods, 100,000 documents, a fault on the holder mid-run: the run completes, each document changed once. */
    private static void exercise(String label, Fault fault, Duration staleAfter) throws Exception {
        int documents = 100_000;
        List<AppProcess> pods = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                pods.add(AppProcess.start(label + "-" + i, Map.of("docshift.migrations.poll", "1s",
                        "docshift.migrations.stale-after", staleAfter.toSeconds() + "s")));
            }
            for (AppProcess pod : pods) {
                pod.awaitReady(Duration.ofSeconds(90));
            }
            String table = TestDb.freshTable(label);
            given().baseUri(pods.get(0).baseUri()).contentType(ContentType.JSON).body("{\"v\":\"orig0\",\"orig\":\"orig0\"}")
                    .post("/api/tables/" + table + "/documents").then().statusCode(201);
            TestDb.bulkLoad(table, documents - 1, "jsonb_build_object('v', 'orig' || g, 'orig', 'orig' || g)");
            String name = TestDb.freshTable(label + "_m");
            given().baseUri(pods.get(0).baseUri()).contentType(ContentType.JSON)
                    .body("{\"table\":\"" + table + "\",\"maxDocumentsPerSecond\":20000,\"steps\":[{\"op\":\"rename\",\"from\":\"v\",\"to\":\"w\"},"
                            + "{\"op\":\"set\",\"field\":\"v\",\"value\":\"second\"}]}")
                    .put("/api/migrations/" + name).then().statusCode(201);
            long run = given().baseUri(pods.get(0).baseUri()).contentType(ContentType.JSON).body("{}").post("/api/migrations/" + name + "/runs")
                    .then().statusCode(202).extract().jsonPath().getLong("runId");
            JsonPath state = awaitProgress(pods, run, 10_000);
            String owner = state.getString("owner");
            AppProcess victim = pods.stream().filter(p -> owner.startsWith(p.name() + "-")).findFirst().orElseThrow();
            AppProcess other = pods.stream().filter(p -> p != victim).findFirst().orElseThrow();
            Undo undo = fault.apply(victim);
            try {
                JsonPath done = awaitEnd(other.baseUri(), run);
                assertEquals("completed", done.getString("state"), done.prettify());
                assertNotEquals(owner, done.getString("owner"), "the other worker finished the run");
            } finally {
                undo.run();
            }
            // the victim, awake again and serving, must not have applied anything twice
            if (victim.isAlive()) {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (victim.probe("/q/health/live") != 200 && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(200, victim.probe("/q/health/live"), "the paused pod serves again");
            }
            JsonPath after = awaitEnd(other.baseUri(), run);
            assertEquals(documents, after.getLong("processed"));
            assertEquals(documents, TestDb.scalar("select count(*) from " + TestDb.physical(table)
                    + " where data->'w' = data->'orig' and data->>'v' = 'second'"), "every document changed exactly once");
        } finally {
            for (AppProcess pod : pods) {
                pod.close();
            }
        }
    }

    private static JsonPath awaitProgress(List<AppProcess> pods, long run, long processed) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath now = given().baseUri(pods.get(0).baseUri()).get("/api/migrations/runs/" + run).then().extract().jsonPath();
            if (now.getLong("processed") >= processed && "running".equals(now.getString("state"))) {
                return now;
            }
            if ("completed".equals(now.getString("state"))) {
                throw new AssertionError("the run completed before it could be interrupted; load more documents");
            }
            Thread.sleep(10);
        }
        throw new AssertionError("run " + run + " made no progress");
    }

    private static JsonPath awaitEnd(String api, long run) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath now = given().baseUri(api).get("/api/migrations/runs/" + run).then().extract().jsonPath();
            if (!now.getString("state").matches("pending|running")) {
                return now;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("run " + run + " did not end");
    }
}
