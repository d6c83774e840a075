package io.docshift.bench;

import io.docshift.support.AppProcess;
import io.docshift.support.TestDb;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

import static io.restassured.RestAssured.given;

/**
 * The price a rehearsal puts on live traffic: p99 latency of GET by id under a steady, paced load (open loop, as
 * {@link LiveTrafficBench}), first alone, then while a rehearsal copies, sweeps, verifies and rolls back a copy of
 * the 200,000-document table being read, with default settings. Also reports the rehearsal's sweep docs/s there.
 */
class RehearsalTrafficBench {

    static final int DOCUMENTS = Integer.getInteger("bench.rehearsal.documents", 200_000);
    static final int RATE = Integer.getInteger("bench.live.rate", 300);

    @Test
    void p99OfReadsWhileARehearsalRuns() throws Exception {
        try (AppProcess pod = AppProcess.start("rehearsal-0", Map.of()).awaitReady(Duration.ofSeconds(90))) {
            String base = pod.baseUri();
            String table = TestDb.freshTable("rehearsebench");
            given().baseUri(base).contentType("application/json").body("{\"name\":\"Ada\"}").post("/api/tables/" + table + "/documents").then().statusCode(201);
            TestDb.bulkLoad(table, DOCUMENTS - 1, "jsonb_build_object('name', 'customer ' || g, 'n', g)");
            String m = "rehearseBench_" + table;
            given().baseUri(base).contentType("application/json").body("{\"table\":\"" + table + "\",\"backup\":true,\"steps\":[{\"op\":\"rename\",\"from\":\"name\","
                    + "\"to\":\"fullName\"}]}").put("/api/migrations/" + m).then().statusCode(201);
            String schema = "{\"tables\":{\"" + table + "\":{\"document\":{\"fullName\":{\"type\":\"string\"},\"n\":{\"type\":\"number\",\"optional\":true}}}},"
                    + "\"migrations\":[\"" + m + "\"]}";
            List<String> ids = TestDb.sampleIds(table, 20_000);
            String url = base + "/api/tables/" + table + "/documents/";
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(java.util.concurrent.Executors.newFixedThreadPool(8)).build();
            gets(http, url, ids, Duration.ofSeconds(5), () -> true); // warm-up
            OpenLoop.Result alone = gets(http, url, ids, Duration.ofSeconds(20), () -> true);

            long id = given().baseUri(base).contentType("application/json").body(schema).post("/api/schema/rehearsals").then().statusCode(202)
                    .extract().jsonPath().getLong("id");
            OpenLoop.Result during;
            long t0 = System.nanoTime();
            // whether it ended is asked over JDBC: a REST Assured call in the pacing loop would count as latency
            try (Connection watch = TestDb.connect()) {
                during = gets(http, url, ids, Duration.ofMinutes(10), () -> running(watch, id));
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            JsonPath report = given().baseUri(base).get("/api/schema/rehearsals/" + id).then().statusCode(200).extract().jsonPath();
            if (!"completed".equals(report.getString("state")) || !report.getBoolean("rollbackByteForByte")) {
                throw new IllegalStateException("the rehearsal did not complete cleanly: " + report.prettify());
            }
            double p99Alone = alone.ms(0.99);
            double p99During = during.ms(0.99);
            BenchReport.record("rehearsal", "GET p99 alone", p99Alone, "ms", RATE + " req/s paced, " + alone.count() + " requests", true);
            BenchReport.record("rehearsal", "GET p99 during rehearsal", p99During, "ms",
                    String.format(Locale.ROOT, "%.2fx alone (target <= 1.5x); %d requests; the rehearsal took %.1f s", p99During / p99Alone, during.count(), seconds),
                    p99During <= 1.5 * p99Alone);
            BenchReport.record("rehearsal", "rehearsal sweep", report.getDouble("tables[0].sweep.docsPerSecond"), "docs/s",
                    DOCUMENTS + " documents copied, swept, verified and rolled back, default settings, beside " + RATE + " GET/s", true);
        }
    }

    private static boolean running(Connection c, long id) {
        try (PreparedStatement p = c.prepareStatement("select state = 'running' from docshift.rehearsal where id = ?")) {
            p.setLong(1, id);
            try (ResultSet r = p.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
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
