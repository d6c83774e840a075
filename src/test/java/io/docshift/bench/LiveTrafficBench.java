package io.docshift.bench;

import io.docshift.support.AppProcess;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;

/**
 * The price a migration puts on live traffic: p99 latency of GET by id under a steady, paced load (open loop:
 * latency counts from when a request was due, so a stall is not hidden), first alone, then while a migration
 * over 1,000,000 documents runs with default settings. Also reports the migration's documents per second there.
 */
class LiveTrafficBench {

    static final int DOCUMENTS = Integer.getInteger("bench.documents", 1_000_000);
    static final int RATE = Integer.getInteger("bench.live.rate", 300);

    @Test
    void p99OfReadsWhileAMigrationRuns() throws Exception {
        Map<String, String> props = new java.util.HashMap<>();
        if (System.getProperty("bench.live.budget") != null) {
            props.put("docshift.migrations.batch-budget", System.getProperty("bench.live.budget"));
        }
        if (System.getProperty("bench.live.yield") != null) {
            props.put("docshift.migrations.yield-to-traffic", System.getProperty("bench.live.yield"));
        }
        try (AppProcess pod = AppProcess.start("live-0", props).awaitReady(Duration.ofSeconds(90))) {
            String base = pod.baseUri();
            String table = TestDb.freshTable("live");
            given().baseUri(base).contentType("application/json").body("{\"seed\":0,\"status\":\"vip\"}").post("/api/tables/" + table + "/documents").then().statusCode(201);
            if ("push".equals(System.getProperty("bench.live.only"))) { // the push's part alone: every document has the status already
                TestDb.bulkLoad(table, DOCUMENTS - 1, "jsonb_build_object('n', g, 'status', 'vip')");
                writesWhileAPushActivates(client(), base, table);
                return;
            }
            TestDb.bulkLoad(table, DOCUMENTS - 1, "case when g % 2 = 0 then jsonb_build_object('n', g, 'status', 'vip') else jsonb_build_object('n', g) end");
            List<String> ids = TestDb.sampleIds(table, 20_000);
            String url = base + "/api/tables/" + table + "/documents/";
            HttpClient http = client();
            gets(http, url, ids, Duration.ofSeconds(5), () -> true); // warm-up
            OpenLoop.Result alone = gets(http, url, ids, Duration.ofSeconds(20), () -> true);

            String name = "live_" + table;
            given().baseUri(base).contentType("application/json").body("{\"table\":\"" + table + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"active\"}]}")
                    .put("/api/migrations/" + name).then().statusCode(201);
            long run = given().baseUri(base).contentType("application/json").body("{}").post("/api/migrations/" + name + "/runs").then().statusCode(202)
                    .extract().jsonPath().getLong("runId");
            // the pacing loop asks whether the run ended over JDBC: a REST Assured call there stalled the loop
            // for milliseconds and counted as latency of the GETs due meanwhile
            OpenLoop.Result during;
            String waits;
            long t0 = System.nanoTime();
            try (var watch = TestDb.connect(); WaitSampler sampler = new WaitSampler()) {
                during = gets(http, url, ids, Duration.ofMinutes(5), () -> !Runs.endedInDatabase(watch, run));
                waits = sampler.summary();
            }
            double p99Alone = alone.ms(0.99);
            timeline(during, t0, 2 * p99Alone, "gets-during-migration.txt");
            BenchReport.record("live", "wait events during the migration", 0, "", waits, true);
            JsonPath done = given().baseUri(base).get("/api/migrations/runs/" + run).then().statusCode(200).extract().jsonPath();
            double seconds = Duration.between(OffsetDateTime.parse(done.getString("startedAt")), OffsetDateTime.parse(done.getString("finishedAt"))).toNanos() / 1e9;
            double rate = done.getLong("processed") / seconds;

            double p99During = during.ms(0.99);
            BenchReport.record("live", "GET p99 alone", p99Alone, "ms", RATE + " req/s paced, " + alone.count() + " requests", true);
            BenchReport.record("live", "GET p99 during migration", p99During, "ms",
                    String.format(Locale.ROOT, "%.2fx alone (target <= 1.5x); %d requests", p99During / p99Alone, during.count()), p99During <= 1.5 * p99Alone);
            BenchReport.record("live", "migration under live traffic", rate, "docs/s", DOCUMENTS + " documents, default settings, beside " + RATE + " GET/s", true);
            writesWhileAPushActivates(http, base, table);
        }
    }

    /**
     * Inserts paced at {@code RATE} into the 1,000,000-document table, alone, then while a push that checks every
     * document of that table activates (the write gate closes for that table only, and only for the re-check of
     * what was written during the scan).
     */
    private static void writesWhileAPushActivates(HttpClient http, String base, String table) throws Exception {
        java.util.function.Supplier<HttpRequest> insert = () -> HttpRequest.newBuilder(URI.create(base + "/api/tables/" + table + "/documents"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"n\":1,\"status\":\"active\"}")).build();
        OpenLoop.http(http, RATE, Duration.ofSeconds(5), () -> true, insert, 201); // warm-up
        OpenLoop.Result alone = OpenLoop.http(http, RATE, Duration.ofSeconds(20), () -> true, insert, 201);
        String schema = "{\"tables\":{\"" + table + "\":{\"document\":{\"n\":{\"type\":\"number\",\"optional\":true},\"status\":{\"type\":\"string\"},\"seed\":{\"type\":\"number\",\"optional\":true}}}}}";
        long t0 = System.nanoTime();
        CompletableFuture<HttpResponse<String>> push = http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/schema"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(schema)).timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofString());
        OpenLoop.Result during;
        String waits;
        try (WaitSampler sampler = new WaitSampler()) {
            during = OpenLoop.http(http, RATE, Duration.ofMinutes(5), () -> !push.isDone(), insert, 201);
            waits = sampler.summary();
        }
        BenchReport.record("live", "wait events while the push activates", 0, "", waits, true);
        HttpResponse<String> pushed = push.join();
        double pushSeconds = (System.nanoTime() - t0) / 1e9;
        if (pushed.statusCode() != 200) {
            throw new IllegalStateException("the push failed: " + pushed.statusCode() + " " + pushed.body());
        }
        double idle = alone.ms(0.99);
        double busy = during.ms(0.99);
        timeline(during, t0, 2 * idle, "push-inserts.txt");
        BenchReport.record("live", "insert p99 alone", idle, "ms", RATE + " inserts/s paced into the " + DOCUMENTS + "-document table; " + alone.failed() + " failed", alone.failed() == 0);
        BenchReport.record("live", "insert p99 while a push activates", busy, "ms",
                String.format(Locale.ROOT, "%.2fx alone (target <= 2x); the push checked every document in %.2f s; %d inserts, %d failed",
                        busy / idle, pushSeconds, during.count(), during.failed()), busy <= 2 * idle && during.failed() == 0);
    }

    /** Where the slow requests fell: {@code target/bench/<file>} lists those over {@code millis}, from {@code t0}. */
    private static void timeline(OpenLoop.Result result, long t0, double millis, String file) throws java.io.IOException {
        StringBuilder out = new StringBuilder("due after the load began (ms)\tlatency (ms)\n");
        for (OpenLoop.Sample s : result.slowerThan(millis)) {
            out.append(String.format(Locale.ROOT, "%d\t%.1f%n", (s.due() - t0) / 1_000_000, s.latency() / 1e6));
        }
        java.nio.file.Files.createDirectories(BenchReport.DIR);
        java.nio.file.Files.writeString(BenchReport.DIR.resolve(file), out);
    }

    private static HttpClient client() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(java.util.concurrent.Executors.newFixedThreadPool(8)).build();
    }

    /** GETs of random {@code ids} at {@code RATE} (open loop); a failed request makes the figure void. */
    private static OpenLoop.Result gets(HttpClient http, String url, List<String> ids, Duration duration, BooleanSupplier go) throws Exception {
        OpenLoop.Result r = OpenLoop.http(http, RATE, duration, go,
                () -> HttpRequest.newBuilder(URI.create(url + ids.get(ThreadLocalRandom.current().nextInt(ids.size())))).timeout(Duration.ofSeconds(30)).build(), 200);
        if (r.failed() > 0) {
            throw new IllegalStateException(r.failed() + " requests failed");
        }
        return r;
    }
}
