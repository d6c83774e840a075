package io.docshift.writes;

import io.docshift.document.store.DocumentId;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * 64 writers (eight times the request pool) keep inserting into one table while a schema push activates over
 * it and then while a transition migrates and activates it: none gets a 5xx, and every write acknowledged
 * with 201 is stored.
 */
@QuarkusTest
class ConcurrentWritersTest {

    private static final int WRITERS = 64;
    private static final Pattern ID = Pattern.compile("\"_id\":\"([0-9a-z]{26})\"");

    @TestHTTPResource("/")
    URI base;

    @Test
    void sixtyFourWritersThroughAPushAndATransitionGetNo5xxAndLoseNothing() throws Exception {
        String t = TestDb.freshTable("busy");
        String v1 = "{\"tables\":{\"" + t + "\":{\"document\":{\"n\":{\"type\":\"number\"},\"s\":{\"type\":\"string\",\"optional\":true}}}}}";
        given().contentType(ContentType.JSON).body(v1).put("/api/schema").then().statusCode(200);
        TestDb.bulkLoad(t, 100_000, "jsonb_build_object('n', g, 's', 'x' || g)");

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI insert = base.resolve("/api/tables/" + t + "/documents");
        AtomicBoolean stop = new AtomicBoolean();
        Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.add(pool.submit(() -> {
                for (int i = 0; !stop.get(); i++) {
                    HttpRequest r = HttpRequest.newBuilder(insert).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"n\":" + (writer * 1_000_000 + i) + ",\"s\":\"w\"}")).build();
                    HttpResponse<String> response = http.send(r, HttpResponse.BodyHandlers.ofString());
                    statuses.computeIfAbsent(response.statusCode(), k -> new AtomicInteger()).incrementAndGet();
                    if (response.statusCode() == 201) {
                        Matcher m = ID.matcher(response.body());
                        assertTrue(m.find(), response.body());
                        acknowledged.add(m.group(1));
                    } else if (response.statusCode() >= 500 && failures.size() < 5) {
                        failures.add(response.statusCode() + " " + response.body());
                    }
                }
                return null;
            }));
        }
        try {
            awaitAcknowledged(acknowledged, 500);
            // a push that checks all 100,000 documents, then closes the table's gate to re-check what was written meanwhile
            given().contentType(ContentType.JSON).body(v1.replace(",\"optional\":true", "")).put("/api/schema").then().statusCode(200);
            int afterPush = acknowledged.size();
            awaitAcknowledged(acknowledged, afterPush + 500);

            // a transition: the sweep migrates while writes in the old shape are upgraded, then the gate closes to activate
            String m = "renameS_" + t;
            Runs.define(m, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"rename\",\"from\":\"s\",\"to\":\"label\"}]}");
            given().contentType(ContentType.JSON).body("{\"tables\":{\"" + t + "\":{\"document\":{\"n\":{\"type\":\"number\"},\"label\":{\"type\":\"string\"}}}},"
                    + "\"migrations\":[\"" + m + "\"]}").put("/api/schema").then().statusCode(202);
            // the sweep yields to the 64 writers: on two busy cores it has run at 950 docs/s
            awaitActive(Duration.ofMinutes(5));
            int afterTransition = acknowledged.size();
            awaitAcknowledged(acknowledged, afterTransition + 500);
        } finally {
            stop.set(true);
            for (Future<?> f : writers) {
                f.get();
            }
            pool.shutdown();
        }

        assertTrue(failures.isEmpty(), "no writer got a 5xx: " + statuses + " " + failures);
        assertTrue(statuses.keySet().stream().allMatch(s -> s == 201), "every write was acknowledged: " + statuses);
        assertEquals(acknowledged.size(), stored(t, new ArrayList<>(acknowledged)), "every acknowledged write is stored");
        assertEquals(0, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data ? 's' or not data ? 'label'"),
                "and in the shape of the active version, whatever shape it was sent in");
    }

    private static void awaitActive(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = null;
        while (System.nanoTime() < deadline) {
            io.restassured.response.Response r = given().get("/api/schema/transition");
            if (r.statusCode() == 503) {
                // the 64 writers hold the request pool: overload is 503 with Retry-After, and a client asks again
                assertTrue(r.getHeader("Retry-After") != null, "a 503 says when to retry");
                Thread.sleep(100);
                continue;
            }
            state = r.then().statusCode(200).extract().path("state");
            if ("active".equals(state)) {
                return;
            }
            assertTrue(!"failed".equals(state), "the transition failed");
            Thread.sleep(100);
        }
        throw new AssertionError("the transition is still " + state + " after " + timeout);
    }

    private static void awaitAcknowledged(ConcurrentLinkedQueue<String> acknowledged, int atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (acknowledged.size() < atLeast) {
            assertTrue(System.nanoTime() < deadline, "writes keep being acknowledged: " + acknowledged.size() + " of " + atLeast);
            Thread.sleep(20);
        }
    }

    private static long stored(String table, List<String> ids) throws Exception {
        try (Connection c = TestDb.connect();
             PreparedStatement p = c.prepareStatement("select count(*) from " + TestDb.physical(table) + " where id = any(?)")) {
            p.setArray(1, c.createArrayOf("uuid", ids.stream().map(i -> DocumentId.parse(i, "id").toUuid()).toArray()));
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }
}
