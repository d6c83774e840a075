package io.docshift.http;

import io.docshift.support.RawClients;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.docshift.support.Api.docs;
import static io.docshift.support.Api.insert;
import static io.docshift.support.Management.management;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Slow and idle clients cost a connection, never a worker thread: with 260 bodies announced and never sent and 300
 * requests whose headers never end, reads, inserts and readiness answer within 2 s; the clients that go away are
 * client aborts (no ERROR, no 5xx); idle connections and trickled bodies are closed. Loopback only, bounded in
 * count and, by the idle timeout, in time (about 35 s).
 */
@QuarkusTest
class SlowClientsTest {

    static final int SLOW_BODIES = 260;
    static final int SLOW_HEADERS = 300;
    static final Duration WITHIN = Duration.ofSeconds(2);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void slowClientsCannotStarveRequestsOrProbes() throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        String table = TestDb.freshTable("slow");
        String id = insert(table, "{\"a\":0}");
        List<LogRecord> errors = Collections.synchronizedList(new ArrayList<>());
        Handler capture = errorsInto(errors);
        Logger.getLogger("").addHandler(capture);
        try {
            double serverErrorsBefore = serverErrors(table);
            List<Socket> bodies = RawClients.holding(SLOW_BODIES, port, "POST " + docs(table) + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"a\":1,");
            List<Socket> headers = RawClients.holding(SLOW_HEADERS, port, "GET /api/tables HTTP/1.1\r\nHost: localhost\r\nX-Slow: ");
            CompletableFuture<String> trickled = CompletableFuture.supplyAsync(() -> trickle(port, table));

            List<Long> millis = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                millis.add(timed(HttpRequest.newBuilder(URI.create("http://localhost:" + port + docs(table) + "/" + id)).GET(), 200));
                millis.add(timed(HttpRequest.newBuilder(URI.create("http://localhost:" + port + docs(table))).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"a\":" + i + "}")), 201));
                millis.add(timed(HttpRequest.newBuilder(URI.create("http://localhost:" + io.docshift.support.Management.port() + "/q/health/ready")).GET(), 200));
            }
            Collections.sort(millis);
            long p99 = millis.get((int) Math.ceil(millis.size() * 0.99) - 1);
            assertTrue(p99 < WITHIN.toMillis(), "p99 of reads, inserts and readiness under " + SLOW_BODIES + " slow bodies and "
                    + SLOW_HEADERS + " slow headers: " + p99 + " ms");

            RawClients.abort(bodies);
            RawClients.await("headers never finished are closed by the idle timeout", Duration.ofSeconds(40),
                    () -> headers.stream().allMatch(RawClients::closedByServer));
            assertTrue(trickled.get().startsWith("HTTP/1.1 408"), "a body still arriving after the body timeout is a 408: " + trickled.get());
            assertEquals(serverErrorsBefore, serverErrors(table), "a client that goes away mid-body is not a server error");
            assertTrue(errors.isEmpty(), "nothing logged at ERROR: " + errors.stream().map(LogRecord::getMessage).toList());
        } finally {
            Logger.getLogger("").removeHandler(capture);
        }
    }

    private long timed(HttpRequest.Builder request, int status) throws Exception {
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        long took = (System.nanoTime() - start) / 1_000_000;
        assertEquals(status, response.statusCode(), response.body());
        return took;
    }

    /** Sends a 100-byte body one byte a second, and returns what the server answered. */
    private static String trickle(int port, String table) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = s.getOutputStream();
            out.write(("POST " + docs(table) + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
                    .getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(1000);
            InputStream in = s.getInputStream();
            for (int i = 0; i < 98; i++) {
                out.write(' ');
                out.flush();
                try {
                    byte[] answer = in.readAllBytes();
                    return new String(answer, StandardCharsets.US_ASCII);
                } catch (java.net.SocketTimeoutException stillReading) {
                    // the server is still waiting for the body: send the next byte
                }
            }
            return "the whole body was read";
        } catch (java.io.IOException e) {
            return "failed: " + e;
        }
    }

    /** The count of 5xx answers to inserts into {@code table}, from the metrics. */
    private static double serverErrors(String table) {
        double sum = 0;
        for (String line : management().get("/q/metrics").then().statusCode(200).extract().asString().split("\n")) {
            if (line.startsWith("http_server_requests_seconds_count") && line.contains("uri=\"/api/tables/{table}/documents\"")
                    && line.contains("status=\"5")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static Handler errorsInto(List<LogRecord> errors) {
        return new Handler() {
            @Override
            public void publish(LogRecord record) {
                if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                    errors.add(record);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
    }
}
