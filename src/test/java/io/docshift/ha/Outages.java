package io.docshift.ha;

import io.docshift.support.Database;
import io.docshift.support.LoadClient;
import io.docshift.support.TestDb;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the outage tests (a failover, a restart, a pooler in between) share: a table under a client's load, a
 * migration whose second application would show, waits that ask through an outage, and the figures file the
 * README's numbers come from.
 */
final class Outages {

    static final Path FIGURES = Path.of("target", "failover-figures.txt");

    private Outages() {
    }

    /** A table of 5,000 documents with {@code visits}, for a {@link LoadClient} to read, insert and patch. */
    static String loadTable(String api, Database db, String prefix) {
        String load = TestDb.freshTable(prefix);
        given().baseUri(api).contentType(ContentType.JSON).body("{\"visits\":0}").post("/api/tables/" + load + "/documents").then().statusCode(201);
        db.bulkLoad(load, 5_000, "jsonb_build_object('visits', 0, 'n', g)");
        return load;
    }

    /** Four threads of reads, inserts and patches on {@code load} through {@code apis}. */
    static LoadClient load(List<String> apis, Database db, String load) {
        return new LoadClient(apis, load, db.sampleIds(load, 500), n -> "{\"visits\":0,\"n\":" + n + "}").start(4);
    }

    /** A table of {@code documents} and a migration on it that a second application would show; returns the migration's name. */
    record Migrated(String table, String migration) {
    }

    static Migrated migrated(String api, Database db, String prefix, int documents, int perSecond) {
        String table = TestDb.freshTable(prefix);
        given().baseUri(api).contentType(ContentType.JSON).body("{\"v\":\"orig0\",\"orig\":\"orig0\"}").post("/api/tables/" + table + "/documents").then().statusCode(201);
        db.bulkLoad(table, documents - 1, "jsonb_build_object('v', 'orig' || g, 'orig', 'orig' || g)");
        String name = "m_" + table;
        // a second application of this pair would set w to "second": double processing would show
        given().baseUri(api).contentType(ContentType.JSON).body("{\"table\":\"" + table + "\"" + (perSecond > 0 ? ",\"maxDocumentsPerSecond\":" + perSecond : "")
                        + ",\"steps\":[{\"op\":\"rename\",\"from\":\"v\",\"to\":\"w\"},{\"op\":\"set\",\"field\":\"v\",\"value\":\"second\"}]}")
                .put("/api/migrations/" + name).then().statusCode(201);
        return new Migrated(table, name);
    }

    static long startRun(String api, String migration) {
        return given().baseUri(api).contentType(ContentType.JSON).body("{}").post("/api/migrations/" + migration + "/runs")
                .then().statusCode(202).extract().jsonPath().getLong("runId");
    }

    /** The documents of {@link #migrated} that its migration changed exactly once. */
    static long migratedOnce(Database db, Migrated m) {
        return db.scalar("select count(*) from " + db.physical(m.table()) + " where data->'w' = data->'orig' and data->>'v' = 'second'");
    }

    /** Appends a line of figures (and prints it). */
    static void figures(String line) throws IOException {
        System.out.println(line);
        Files.writeString(FIGURES, line + System.lineSeparator(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static void awaitRunProgress(String api, long run, long processed) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath now = given().baseUri(api).get("/api/migrations/runs/" + run).then().extract().jsonPath();
            if (now.getLong("processed") >= processed) {
                assertEquals("running", now.getString("state"), "the run is under way when the primary dies: " + now.prettify());
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("run " + run + " made no progress");
    }

    /** The run's end as either process reports it, asking through the outage (503s and refused connections). */
    static JsonPath awaitRunEnd(List<String> apis, long run, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonPath last = null;
        for (int i = 0; System.nanoTime() < deadline; i++) {
            try {
                var r = given().baseUri(apis.get(i % apis.size())).get("/api/migrations/runs/" + run).then().extract();
                if (r.statusCode() == 200) {
                    last = r.jsonPath();
                    if (!last.getString("state").matches("pending|running")) {
                        return last;
                    }
                }
            } catch (RuntimeException e) {
                // a process may not answer during the failover
            }
            Thread.sleep(200);
        }
        throw new AssertionError("run " + run + " did not end: " + (last == null ? "no answer" : last.prettify()));
    }

    static String awaitTransitionEnd(List<String> apis, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String state = null;
        for (int i = 0; System.nanoTime() < deadline; i++) {
            try {
                var r = given().baseUri(apis.get(i % apis.size())).get("/api/schema/transition").then().extract();
                if (r.statusCode() == 200) {
                    state = r.jsonPath().getString("state");
                    if (state.matches("active|failed|rolledBack")) {
                        return state;
                    }
                }
            } catch (RuntimeException e) {
                // a process may not answer during the failover
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the transition did not end; last state " + state);
    }

    static long awaitFirstWriteAfter(LoadClient client, long nanos, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long t = client.firstWriteSentAfter(nanos);
            if (t > 0) {
                return t;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no write was acknowledged after the failover");
    }

    /** When {@code api} first serves schema {@code version}. */
    static long awaitVersion(String api, int version, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Integer v = given().baseUri(api).get("/api/schema").then().extract().path("version");
            if (v != null && v >= version) {
                return System.nanoTime();
            }
            Thread.sleep(10);
        }
        throw new AssertionError(api + " did not serve version " + version + " within " + timeout);
    }
}
