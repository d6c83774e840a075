package io.docshift.deploy;

import io.docshift.support.AppProcess;
import io.docshift.support.LoadClient;
import io.docshift.support.TestDb;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The promise, tested on real processes: a rolling update from three "v1" pods to three "v2" pods whose bundled
 * schema needs a transition over 200,000 documents, while a client reads, inserts and patches through a load
 * balancer; during the transition the pod running the sweep is SIGKILLed twice (and restarted, as Kubernetes
 * would) and then SIGSTOPped for 20 seconds. No request fails after its retry, the transition reaches
 * active, every document is migrated exactly once, every acknowledged write is there with its last
 * acknowledged content, and each takeover comes within 5 seconds.
 */
class RollingUpdateIT {

    static final int DOCUMENTS = 200_000;
    static final long MAX_TAKEOVER_MILLIS = 5_000;

    private final List<AppProcess> live = new ArrayList<>();
    private volatile AppProcess paused;
    private LoadClient client;

    @Test
    void aRollingUpdateWithKilledAndPausedPodsLosesNothingAndMigratesEachDocumentOnce() throws Exception {
        long started = System.nanoTime();
        String table = TestDb.freshTable("rolling");
        String migration = "rollingRename_" + table.substring(table.indexOf('_') + 1);
        Path dir = Files.createTempDirectory("docshift-rolling");
        Path v1 = Files.writeString(dir.resolve("v1.json"), "{\"tables\":{\"" + table + "\":{\"document\":{"
                + "\"v\":{\"type\":\"string\"},\"orig\":{\"type\":\"string\"},\"visits\":{\"type\":\"number\",\"optional\":true}}}}}");
        Path v2 = Files.writeString(dir.resolve("v2.json"), "{\"tables\":{\"" + table + "\":{\"document\":{"
                + "\"w\":{\"type\":\"string\"},\"v\":{\"type\":\"literal\",\"value\":\"second\"},\"orig\":{\"type\":\"string\"},"
                + "\"visits\":{\"type\":\"number\",\"optional\":true}}}},\"migrations\":[\"" + migration + "\"]}");
        Path migrations = Files.createDirectory(dir.resolve("migrations"));
        // a second application would move "second" into w: w = orig proves each document was migrated once
        Files.writeString(migrations.resolve(migration + ".json"), "{\"name\":\"" + migration + "\",\"table\":\"" + table + "\","
                + "\"maxDocumentsPerSecond\":3000,\"steps\":[{\"op\":\"rename\",\"from\":\"v\",\"to\":\"w\"},{\"op\":\"set\",\"field\":\"v\",\"value\":\"second\"}]}");
        Map<String, String> v1Props = Map.of("docshift.schema.file", v1.toString(), "docshift.migrations.stale-after", "4s");
        Map<String, String> v2Props = Map.of("docshift.schema.file", v2.toString(), "docshift.migrations.dir", migrations.toString(),
                "docshift.migrations.stale-after", "4s");
        int takeovers = 0;
        long longestTakeover = 0;
        long pauseTakeover = -1;
        try {
            List<AppProcess> v1Pods = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                v1Pods.add(start("v1-" + i, v1Props));
            }
            for (AppProcess p : v1Pods) {
                p.awaitReady(Duration.ofSeconds(90));
            }
            TestDb.bulkLoad(table, DOCUMENTS, "jsonb_build_object('v', 'o' || g, 'orig', 'o' || g)");
            client = new LoadClient(v1Pods.stream().map(AppProcess::baseUri).toList(), table, TestDb.sampleIds(table, 500),
                    n -> "{\"v\":\"c" + n + "\",\"orig\":\"c" + n + "\"}").start(2);

            // the rolling update: v2 pods come up (the first opens the transition), v1 pods leave one by one
            List<AppProcess> v2Pods = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                AppProcess p = start("v2-" + i, v2Props).awaitReady(Duration.ofSeconds(90));
                client.addTarget(p.baseUri());
                v2Pods.add(p);
                AppProcess old = v1Pods.remove(0);
                client.removeTarget(old.baseUri());
                old.terminate();
                assertTrue(old.awaitExit(Duration.ofSeconds(60)), old.name() + " exits on SIGTERM");
                live.remove(old);
            }
            client.expectShape(d -> d.path("w").isTextual() && "second".equals(d.path("v").asText()),
                    n -> "{\"w\":\"n" + n + "\",\"v\":\"second\",\"orig\":\"n" + n + "\"}");
            long runId = given().baseUri(live.get(0).baseUri()).get("/api/schema/transition").then().statusCode(200)
                    .extract().jsonPath().getLong("migrations[0].runId");

            // two SIGKILLs of whoever runs the sweep, each pod restarted as Kubernetes would
            long processed = Runs.get(anyLive(), runId).getLong("processed");
            for (int k = 0; k < 2; k++) {
                JsonPath run = awaitProgress(runId, processed + 10_000);
                if ("completed".equals(run.getString("state"))) {
                    break;
                }
                AppProcess holder = holderOf(run);
                client.removeTarget(holder.baseUri());
                holder.kill();
                long killed = System.nanoTime();
                live.remove(holder);
                long took = awaitNewOwner(runId, run.getString("owner"), killed);
                takeovers++;
                longestTakeover = Math.max(longestTakeover, took);
                assertTrue(took <= MAX_TAKEOVER_MILLIS, "takeover after SIGKILL in " + took + " ms");
                AppProcess replacement = start("v2-r" + k, v2Props).awaitReady(Duration.ofSeconds(90));
                client.addTarget(replacement.baseUri());
                processed = Runs.get(anyLive(), runId).getLong("processed");
            }

            // SIGSTOP the holder for 20 s (its readiness probe would fail: it leaves the load balancer), then SIGCONT
            JsonPath run = Runs.get(anyLive(), runId);
            if (!"completed".equals(run.getString("state")) && run.getString("owner") != null) {
                AppProcess holder = holderOf(run);
                client.removeTarget(holder.baseUri());
                Thread.sleep(200); // let requests already sent to it finish, as endpoints are removed before a pod stops
                this.paused = holder; // nobody asks it anything while it is stopped
                holder.pause();
                long pausedAt = System.nanoTime();
                pauseTakeover = awaitNewOwner(runId, run.getString("owner"), pausedAt); // after docshift.migrations.stale-after
                takeovers++;
                long remaining = Duration.ofSeconds(20).toNanos() - (System.nanoTime() - pausedAt);
                if (remaining > 0) {
                    Thread.sleep(remaining / 1_000_000); // the fault lasts 20 s
                }
                holder.resume();
                this.paused = null;
                holder.awaitReady(Duration.ofSeconds(60));
                client.addTarget(holder.baseUri());
            }

            assertTrue(takeovers >= 2, "both SIGKILLs hit a running sweep: " + takeovers + " takeover(s)");
            JsonPath transition = awaitActive(Duration.ofMinutes(4));
            assertEquals("active", transition.getString("state"), transition.prettify());
            long sinceActive = client.requests();
            while (client.requests() < sinceActive + 200) {
                Thread.sleep(20);
            }
            client.close();

            String physical = TestDb.physical(table);
            long total = TestDb.scalar("select count(*) from " + physical);
            assertEquals(List.of(), client.failures(), "no request failed after its retry");
            assertEquals(List.of(), client.shapeViolations(), "reads returned the new shape");
            assertEquals(total, TestDb.scalar("select count(*) from " + physical + " where data->'w' = data->'orig' and data->>'v' = 'second'"),
                    "every document was migrated exactly once");
            assertEquals(0, TestDb.scalar("select count(*) from " + physical + " where schema_version <> " + transition.getInt("toVersion")));
            client.assertAcknowledgedWritesKept(physical);
            System.out.printf("rolling update: %d requests, %d failures, %d retries, %d takeovers, longest takeover after SIGKILL %d ms"
                            + " (after SIGSTOP %d ms, stale-after 4 s), %d documents migrated, %d s%n",
                    client.requests(), client.failures().size(), client.retries(), takeovers, longestTakeover, pauseTakeover, total,
                    (System.nanoTime() - started) / 1_000_000_000L);
        } finally {
            if (client != null) {
                client.close();
            }
            for (AppProcess p : live) {
                p.close();
            }
        }
    }

    private AppProcess start(String name, Map<String, String> props) throws Exception {
        AppProcess p = AppProcess.start(name, props);
        live.add(p);
        return p;
    }

    private String anyLive() {
        return live.stream().filter(p -> p.isAlive() && p != paused).findFirst().orElseThrow().baseUri();
    }

    private AppProcess holderOf(JsonPath run) {
        String owner = run.getString("owner");
        return live.stream().filter(p -> owner.startsWith(p.name() + "-")).findFirst()
                .orElseThrow(() -> new AssertionError("no live process owns the run: " + owner));
    }

    private JsonPath awaitProgress(long runId, long processed) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath run = Runs.get(anyLive(), runId);
            if ("completed".equals(run.getString("state")) || run.getLong("processed") >= processed && "running".equals(run.getString("state"))) {
                return run;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("run " + runId + " did not reach " + processed + " processed");
    }

    /** Milliseconds until someone other than {@code owner} holds the run (or it completed). */
    private long awaitNewOwner(long runId, String owner, long since) throws InterruptedException {
        while (System.nanoTime() - since < Duration.ofSeconds(60).toNanos()) {
            JsonPath run = Runs.get(anyLive(), runId);
            if (!owner.equals(run.getString("owner")) && "running".equals(run.getString("state")) || "completed".equals(run.getString("state"))) {
                return (System.nanoTime() - since) / 1_000_000;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("nobody took run " + runId + " over from " + owner);
    }

    private JsonPath awaitActive(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonPath t = null;
        while (System.nanoTime() < deadline) {
            t = given().baseUri(anyLive()).get("/api/schema/transition").then().statusCode(200).extract().jsonPath();
            if ("active".equals(t.getString("state"))) {
                return t;
            }
            Thread.sleep(100);
        }
        assertNotNull(t);
        return t;
    }

    /** Run state through any live pod. */
    static final class Runs {
        static JsonPath get(String base, long runId) {
            return given().baseUri(base).get("/api/migrations/runs/" + runId).then().statusCode(200).extract().jsonPath();
        }
    }
}
