package io.docshift.deploy;

import io.docshift.support.AppProcess;
import io.docshift.support.TestDb;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGTERM to a packaged process that is working a migration and serving requests: readiness goes DOWN first,
 * no request that arrived before that fails, the batch in progress is not half-applied, and the other process
 * takes the run over.
 */
class GracefulShutdownIT {

    record Outcome(long startedAt, int status) {
    }

    @Test
    void sigtermDrainsRequestsAndHandsTheRunOver() throws Exception {
        int documents = 100_000;
        try (AppProcess a = AppProcess.start("graceful-a", Map.of("docshift.migrations.poll", "1s"));
             AppProcess b = AppProcess.start("graceful-b", Map.of("docshift.migrations.poll", "1s"))) {
            a.awaitReady(Duration.ofSeconds(90));
            b.awaitReady(Duration.ofSeconds(90));
            String table = TestDb.freshTable("graceful");
            given().baseUri(b.baseUri()).contentType(ContentType.JSON).body("{\"v\":\"orig0\",\"orig\":\"orig0\"}")
                    .post("/api/tables/" + table + "/documents").then().statusCode(201);
            TestDb.bulkLoad(table, documents - 1, "jsonb_build_object('v', 'orig' || g, 'orig', 'orig' || g)");
            String name = TestDb.freshTable("graceful_m");
            given().baseUri(b.baseUri()).contentType(ContentType.JSON)
                    .body("{\"table\":\"" + table + "\",\"maxDocumentsPerSecond\":10000,\"steps\":[{\"op\":\"rename\",\"from\":\"v\",\"to\":\"w\"},"
                            + "{\"op\":\"set\",\"field\":\"v\",\"value\":\"second\"}]}")
                    .put("/api/migrations/" + name).then().statusCode(201);
            long run = given().baseUri(b.baseUri()).contentType(ContentType.JSON).body("{}").post("/api/migrations/" + name + "/runs")
                    .then().statusCode(202).extract().jsonPath().getLong("runId");
            JsonPath state = awaitRunning(b, run);
            AppProcess holder = state.getString("owner").startsWith("graceful-a-") ? a : b;
            AppProcess other = holder == a ? b : a;

            // a client keeps writing to the holder; a probe watches its readiness
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofMillis(500)).build();
            List<Outcome> outcomes = new CopyOnWriteArrayList<>();
            AtomicLong readinessDownAt = new AtomicLong(Long.MAX_VALUE);
            AtomicBoolean stop = new AtomicBoolean();
            String loadTable = TestDb.freshTable("graceful_load");
            given().baseUri(holder.baseUri()).contentType(ContentType.JSON).body("{\"n\":0}").post("/api/tables/" + loadTable + "/documents").then().statusCode(201);
            Thread client = new Thread(() -> {
                while (!stop.get()) {
                    long t = System.nanoTime();
                    int status;
                    try {
                        status = http.send(HttpRequest.newBuilder(URI.create(holder.baseUri() + "/api/tables/" + loadTable + "/documents"))
                                .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}")).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
                    } catch (Exception e) {
                        status = -1;
                    }
                    outcomes.add(new Outcome(t, status));
                }
            });
            Thread probe = new Thread(() -> {
                while (!stop.get() && readinessDownAt.get() == Long.MAX_VALUE) {
                    long t = System.nanoTime();
                    if (holder.probe("/q/health/ready") != 200) {
                        readinessDownAt.set(t);
                    }
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            client.start();
            probe.start();
            Thread.sleep(1500);
            holder.terminate();
            assertTrue(holder.awaitExit(Duration.ofSeconds(60)), "the process exits after draining");
            stop.set(true);
            client.join();
            probe.join();

            long down = readinessDownAt.get();
            assertTrue(down != Long.MAX_VALUE, "readiness went down before the process stopped serving");
            List<Outcome> beforeDown = outcomes.stream().filter(o -> o.startedAt() < down).toList();
            assertTrue(beforeDown.size() >= 5, "the client was busy before readiness went down: " + beforeDown.size());
            assertTrue(beforeDown.stream().allMatch(o -> o.status() == 201),
                    "every request that arrived before readiness went down succeeded: " + beforeDown.stream().filter(o -> o.status() != 201).toList());
            assertEquals(beforeDown.size(), outcomes.stream().filter(o -> o.startedAt() < down).count());

            JsonPath done = awaitEnd(other, run);
            assertEquals("completed", done.getString("state"), done.prettify());
            assertNotEquals(state.getString("owner"), done.getString("owner"), "the other process finished the run");
            assertEquals(documents, done.getLong("processed"));
            assertEquals(documents, TestDb.scalar("select count(*) from " + TestDb.physical(table)
                    + " where data->'w' = data->'orig' and data->>'v' = 'second'"), "no batch half-applied or applied twice");
            assertTrue(holder.logText().contains("stops taking batches"), "the worker stopped at the shutdown request");
        }
    }

    private static JsonPath awaitRunning(AppProcess api, long run) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath now = given().baseUri(api.baseUri()).get("/api/migrations/runs/" + run).then().extract().jsonPath();
            if ("running".equals(now.getString("state")) && now.getLong("processed") > 5_000) {
                return now;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("run " + run + " did not get going");
    }

    private static JsonPath awaitEnd(AppProcess api, long run) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath now = given().baseUri(api.baseUri()).get("/api/migrations/runs/" + run).then().extract().jsonPath();
            if (!now.getString("state").matches("pending|running")) {
                return now;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("run " + run + " did not end");
    }
}
