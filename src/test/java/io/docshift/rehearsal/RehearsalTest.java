package io.docshift.rehearsal;

import io.docshift.support.Api;
import io.docshift.support.Rehearsals;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code POST /api/schema/rehearsals}: a transition rehearsed on a copy of the documents, with exact counts and a
 * byte-for-byte rollback, while live traffic goes on and without touching the live documents, schema or runs.
 */
@QuarkusTest
class RehearsalTest {

    private static String schema(String t, String document, String migration) {
        return "{\"tables\":{\"" + t + "\":{\"document\":" + document + "}}" + (migration == null ? "" : ",\"migrations\":[\"" + migration + "\"]") + "}";
    }

    @Test
    void aHundredThousandDocumentsRehearseWithExactCountsAndAByteForByteRollbackWhileLiveTrafficGoesOn() throws Exception {
        String t = TestDb.freshTable("rehearsed");
        String visits = TestDb.freshTable("visits");
        String before = "{\"name\":{\"type\":\"string\",\"optional\":true},\"fullName\":{\"type\":\"string\",\"optional\":true},\"age\":{\"type\":\"string\",\"optional\":true}}";
        given().contentType(ContentType.JSON).body("{\"tables\":{\"" + t + "\":{\"document\":" + before + "},\"" + visits + "\":{\"document\":{\"n\":{\"type\":\"number\"}}}}}")
                .put("/api/schema").then().statusCode(200);
        TestDb.bulkLoad(t, 99_000, "jsonb_build_object('name', 'customer ' || g, 'age', (g % 90)::text)");
        TestDb.bulkLoad(t, 1_000, "jsonb_build_object('fullName', 'already ' || g)");
        String m = "rehearseRename_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"backup\":true,\"steps\":[{\"op\":\"rename\",\"from\":\"name\",\"to\":\"fullName\"},"
                + "{\"op\":\"convert\",\"field\":\"age\",\"to\":\"number\"}]}");
        String target = "{\"tables\":{\"" + t + "\":{\"document\":{\"fullName\":{\"type\":\"string\"},\"age\":{\"type\":\"number\",\"optional\":true}}},\"" + visits
                + "\":{\"document\":{\"n\":{\"type\":\"number\"}}}},\"migrations\":[\"" + m + "\"]}";
        Map<String, String> fingerprints = fingerprints(t);
        List<String> ids = TestDb.sampleIds(t, 200);

        try (LiveTraffic live = new LiveTraffic(t, visits, ids)) {
            live.awaitRequests(20);
            long id = Rehearsals.start(target, "");
            JsonPath report = Rehearsals.awaitEnd(id, Duration.ofMinutes(5));
            live.awaitRequests(live.requests() + 20);
            live.close();
            assertEquals(0, live.failures(), "live reads and writes all succeeded during the rehearsal");
            assertTrue(live.writes() > 0, "live writes went on");

            assertEquals("completed", report.getString("state"), report.prettify());
            assertEquals(100_000, report.getLong("copied"));
            assertEquals(List.of(m), report.getList("tables[0].migrations"));
            assertEquals(100_000, report.getLong("tables[0].liveDocuments"));
            assertEquals(100_000, report.getLong("tables[0].sweep.processed"));
            assertEquals(99_000, report.getLong("tables[0].sweep.changed"), "renamed and converted");
            assertEquals(1_000, report.getLong("tables[0].sweep.stamped"), "already in the new shape: only stamped");
            assertTrue(report.getDouble("tables[0].sweep.docsPerSecond") > 0);
            assertNotNull(report.get("tables[0].sweep.projectedSeconds"));
            assertNull(report.get("tables[0].firstFailure"));
            assertEquals(0, report.getLong("violationsLeft"));
            assertEquals(100_000, report.getLong("tables[0].rollback.restored"));
            assertEquals(0, report.getLong("tables[0].rollback.mismatched"));
            assertTrue(report.getBoolean("rollbackByteForByte"));
            assertTrue(report.getBoolean("transitionWouldSucceed"));
            assertTrue(report.getBoolean("live.unchanged"));
            assertEquals(report.getString("live.fingerprintBefore"), report.getString("live.fingerprintAfter"));
            assertEquals(0, report.getLong("live.writtenMeanwhile"), "the clients wrote to another table");
        }
        assertEquals(fingerprints, fingerprints(t), "live documents, schema, runs, transitions and backups exactly as they were");
        assertEquals(0, TestDb.scalar("select count(*) from pg_namespace where nspname = 'docshift_rehearsal'"), "the copy was dropped");
        given().get("/api/schema/rehearsals").then().statusCode(200).body("[0].state", equalTo("completed"));
    }

    @Test
    void theFirstFailingDocumentIsNamedAndASampleCopiesExactlyThatMany() throws Exception {
        String t = TestDb.freshTable("rehearsefail");
        given().contentType(ContentType.JSON).body(schema(t, "{\"age\":{\"type\":\"string\"}}", null)).put("/api/schema").then().statusCode(200);
        TestDb.bulkLoad(t, 3_000, "jsonb_build_object('age', (g % 90)::text)");
        String poisoned = Api.insert(t, "{\"age\":\"abc\"}");
        String m = "rehearseConvert_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"convert\",\"field\":\"age\",\"to\":\"number\"}]}");
        String target = schema(t, "{\"age\":{\"type\":\"number\"}}", m);

        JsonPath failed = Rehearsals.awaitEnd(Rehearsals.start(target, ""), Duration.ofMinutes(2));
        assertEquals("completed", failed.getString("state"), failed.prettify());
        assertEquals(poisoned, failed.getString("tables[0].firstFailure._id"), "the document the real sweep would stop on");
        assertEquals(m, failed.getString("tables[0].firstFailure.migration"));
        assertFalse(failed.getBoolean("transitionWouldSucceed"));
        assertFalse(failed.getBoolean("tables[0].backup"), "the report says the real transition could not be rolled back");
        assertTrue(failed.getBoolean("rollbackByteForByte"), "what was swept before the failure is restored");

        given().delete(Api.docs(t) + "/" + poisoned).then().statusCode(204);
        JsonPath sampled = Rehearsals.awaitEnd(Rehearsals.start(target, "?sample=500"), Duration.ofMinutes(2));
        assertEquals(500, sampled.getLong("sample"));
        assertEquals(500, sampled.getLong("copied"));
        assertEquals(3_000, sampled.getLong("tables[0].liveDocuments"));
        assertEquals(500, sampled.getLong("tables[0].sweep.changed"));
        assertTrue(sampled.getBoolean("transitionWouldSucceed"), sampled.prettify());
        assertEquals(0, TestDb.scalar("select count(*) from docshift.schema_version where hash = '" + sampled.getString("schemaHash") + "'"),
                "the rehearsed schema was never stored");
    }

    @Test
    void aSecondRehearsalWhileOneHoldsTheLockIsRefusedWith409() throws Exception {
        String t = TestDb.freshTable("rehearselock");
        given().contentType(ContentType.JSON).body(schema(t, "{\"n\":{\"type\":\"string\"}}", null)).put("/api/schema").then().statusCode(200);
        TestDb.bulkLoad(t, 10, "jsonb_build_object('n', g::text)");
        String m = "rehearseLock_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"convert\",\"field\":\"n\",\"to\":\"number\"}]}");
        // another pod's rehearsal: its session holds the rehearsal lock
        try (Connection other = TestDb.connect(); PreparedStatement p = other.prepareStatement("select pg_try_advisory_lock("
                + "(select value::int from docshift.setting where key = 'lock_namespace') + 6, 0)")) {
            try (ResultSet r = p.executeQuery()) {
                r.next();
                assertTrue(r.getBoolean(1));
            }
            Api.problem(given().contentType(ContentType.JSON).body(schema(t, "{\"n\":{\"type\":\"number\"}}", m)).post("/api/schema/rehearsals").then(), 409, null)
                    .body("detail", containsString("one rehearsal runs at a time"));
        }
        JsonPath ran = Rehearsals.awaitEnd(Rehearsals.start(schema(t, "{\"n\":{\"type\":\"number\"}}", m), ""), Duration.ofMinutes(1));
        assertEquals(10, ran.getLong("tables[0].sweep.changed"), "once the lock is free it runs");
    }

    @Test
    void badInputIsA400NamingTheField() {
        String t = TestDb.freshTable("rehearsebad");
        String m = "rehearseBad_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"convert\",\"field\":\"n\",\"to\":\"number\"}]}");
        String fine = schema(t, "{\"n\":{\"type\":\"number\"}}", m);
        Api.problem(given().contentType(ContentType.JSON).body(fine).post("/api/schema/rehearsals?sample=abc").then(), 400, "sample");
        Api.problem(given().contentType(ContentType.JSON).body(fine).post("/api/schema/rehearsals?sample=0").then(), 400, "sample");
        Api.problem(given().contentType(ContentType.JSON).body(schema(t, "{\"n\":{\"type\":\"number\"}}", null)).post("/api/schema/rehearsals").then(),
                400, "/migrations");
        Api.problem(given().contentType(ContentType.JSON).body(schema(t, "{\"n\":{\"type\":\"number\"}}", "noSuchMigration")).post("/api/schema/rehearsals").then(),
                400, "/migrations/0");
        Api.problem(given().contentType(ContentType.JSON).body("{\"tables\":").post("/api/schema/rehearsals").then(), 400, null);
        Api.problem(given().get("/api/schema/rehearsals/999999999").then(), 404, null);
    }

    /** The live state a rehearsal must not touch: the table's documents, the schema versions, runs, transitions and backups. */
    private static Map<String, String> fingerprints(String t) throws Exception {
        Map<String, String> sql = Map.of(
                "documents", "select count(*) || ':' || md5(string_agg(id::text || ':' || revision || ':' || schema_version || ':' || data::text, ',' order by id)) from "
                        + TestDb.physical(t),
                "schema", "select md5(string_agg(version || ':' || hash || ':' || coalesce(activated_at::text, ''), ',' order by version)) from docshift.schema_version",
                "runs", "select count(*) || ':' || coalesce(md5(string_agg(r::text, ',' order by id)), '') from docshift.migration_run r",
                "transitions", "select count(*) || ':' || coalesce(md5(string_agg(x::text, ',' order by id)), '') from docshift.transition x",
                "backups", "select count(*)::text from docshift.migration_backup");
        Map<String, String> out = new java.util.TreeMap<>();
        try (Connection c = TestDb.connect()) {
            for (Map.Entry<String, String> e : sql.entrySet()) {
                try (ResultSet r = c.createStatement().executeQuery(e.getValue())) {
                    r.next();
                    out.put(e.getKey(), r.getString(1));
                }
            }
        }
        return out;
    }

    /** Clients reading documents of the rehearsed table and writing to another, until closed. */
    private static final class LiveTraffic implements AutoCloseable {
        private final HttpClient http = HttpClient.newHttpClient();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong requests = new AtomicLong();
        private final AtomicLong writes = new AtomicLong();
        private final AtomicLong failures = new AtomicLong();
        private final Thread thread;

        LiveTraffic(String table, String other, List<String> ids) {
            String base = "http://localhost:" + RestAssured.port;
            thread = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        HttpRequest request = requests.get() % 4 == 3
                                ? HttpRequest.newBuilder(URI.create(base + Api.docs(other))).header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString("{\"n\":" + requests.get() + "}")).build()
                                : HttpRequest.newBuilder(URI.create(base + Api.docs(table) + "/" + ids.get(ThreadLocalRandom.current().nextInt(ids.size())))).GET().build();
                        int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                        if (status == 201) {
                            writes.incrementAndGet();
                        } else if (status != 200) {
                            failures.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failures.incrementAndGet();
                    }
                    requests.incrementAndGet();
                }
            }, "live-traffic");
            thread.start();
        }

        long requests() {
            return requests.get();
        }

        long writes() {
            return writes.get();
        }

        long failures() {
            return failures.get();
        }

        void awaitRequests(long n) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
            while (requests.get() < n && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(requests.get() >= n, "live traffic made " + requests.get() + " requests");
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join();
        }
    }
}
