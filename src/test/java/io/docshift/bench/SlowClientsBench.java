package io.docshift.bench;

import io.docshift.support.AppProcess;
import io.docshift.support.RawClients;
import io.docshift.support.TestDb;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

import static io.restassured.RestAssured.given;

/**
 * What slow clients cost the others: p99 of paced GETs and inserts (open loop), alone, then while 260 connections
 * hold a body they announced (100 kB) and never send and 300 hold headers they never finish. Each phase lasts
 * less than the idle and body timeouts (30 s), so the slow clients are held throughout.
 */
class SlowClientsBench {

    static final int RATE = Integer.getInteger("bench.slow.rate", 100);
    static final Duration PHASE = Duration.ofSeconds(12);

    @Test
    void p99UnderSlowBodiesAndSlowHeaders() throws Exception {
        try (AppProcess pod = AppProcess.start("slow-0", Map.of()).awaitReady(Duration.ofSeconds(90))) {
            String table = TestDb.freshTable("slowbench");
            String docs = "/api/tables/" + table + "/documents";
            String id = given().baseUri(pod.baseUri()).contentType("application/json").body("{\"n\":0}").post(docs).then().statusCode(201).extract().path("_id");
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).executor(java.util.concurrent.Executors.newFixedThreadPool(8)).build();
            Supplier<HttpRequest> get = () -> HttpRequest.newBuilder(URI.create(pod.baseUri() + docs + "/" + id)).timeout(Duration.ofSeconds(30)).build();
            Supplier<HttpRequest> insert = () -> HttpRequest.newBuilder(URI.create(pod.baseUri() + docs)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"n\":1}")).timeout(Duration.ofSeconds(30)).build();
            Supplier<HttpRequest> ready = () -> HttpRequest.newBuilder(URI.create(pod.managementUri() + "/q/health/ready")).timeout(Duration.ofSeconds(30)).build();
            OpenLoop.http(http, RATE, Duration.ofSeconds(5), () -> true, get, 200); // warm-up
            OpenLoop.http(http, RATE, Duration.ofSeconds(5), () -> true, insert, 201);

            OpenLoop.Result getAlone = OpenLoop.http(http, RATE, PHASE, () -> true, get, 200);
            OpenLoop.Result insertAlone = OpenLoop.http(http, RATE, PHASE, () -> true, insert, 201);
            int port = URI.create(pod.baseUri()).getPort();
            List<Socket> bodies = RawClients.holding(260, port, "POST " + docs + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n{\"a\":1,");
            List<Socket> headers = RawClients.holding(300, port, "GET /api/tables HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
            OpenLoop.Result getSlow;
            OpenLoop.Result insertSlow;
            OpenLoop.Result readySlow;
            try {
                getSlow = OpenLoop.http(http, RATE, PHASE, () -> true, get, 200);
                insertSlow = OpenLoop.http(http, RATE, PHASE, () -> true, insert, 201);
                readySlow = OpenLoop.http(http, 10, Duration.ofSeconds(4), () -> true, ready, 200);
            } finally {
                RawClients.abort(bodies);
                RawClients.abort(headers);
            }
            String load = "260 slow bodies + 300 slow headers held";
            BenchReport.record("slow-clients", "GET p99 alone", getAlone.ms(0.99), "ms", RATE + " req/s paced; " + getAlone.failed() + " failed", getAlone.failed() == 0);
            BenchReport.record("slow-clients", "GET p99 under slow clients", getSlow.ms(0.99), "ms", String.format(Locale.ROOT,
                    "%s; %.2fx alone (target < 2000 ms); %d failed", load, getSlow.ms(0.99) / getAlone.ms(0.99), getSlow.failed()), getSlow.ms(0.99) < 2000 && getSlow.failed() == 0);
            BenchReport.record("slow-clients", "insert p99 alone", insertAlone.ms(0.99), "ms", RATE + " req/s paced; " + insertAlone.failed() + " failed", insertAlone.failed() == 0);
            BenchReport.record("slow-clients", "insert p99 under slow clients", insertSlow.ms(0.99), "ms", String.format(Locale.ROOT,
                    "%s; %.2fx alone (target < 2000 ms); %d failed", load, insertSlow.ms(0.99) / insertAlone.ms(0.99), insertSlow.failed()), insertSlow.ms(0.99) < 2000 && insertSlow.failed() == 0);
            BenchReport.record("slow-clients", "readiness p99 under slow clients", readySlow.ms(0.99), "ms", load + "; management port; " + readySlow.failed() + " failed",
                    readySlow.ms(0.99) < 2000 && readySlow.failed() == 0);
        }
    }
}
