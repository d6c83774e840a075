package io.docshift.support;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

import java.time.Duration;
import java.util.Set;

import static io.restassured.RestAssured.given;

/** Requests migration runs and waits for them, by polling their state (never by sleeping blindly). */
public final class Runs {

    private static final Set<String> ENDED = Set.of("completed", "failed", "cancelled");

    private Runs() {
    }

    public static void define(String name, String definition) {
        given().contentType(ContentType.JSON).body(definition).put("/api/migrations/" + name).then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
    }

    /** Starts a run and returns its id. */
    public static long start(String name, String body) {
        return given().contentType(ContentType.JSON).body(body).post("/api/migrations/" + name + "/runs")
                .then().statusCode(202).extract().jsonPath().getLong("runId");
    }

    public static JsonPath get(long runId) {
        return given().get("/api/migrations/runs/" + runId).then().statusCode(200).extract().jsonPath();
    }

    /** Polls until the run has ended and returns its final state. */
    public static JsonPath awaitEnd(long runId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath run = get(runId);
            if (ENDED.contains(run.getString("state"))) {
                return run;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("run " + runId + " did not end within " + timeout + ": " + get(runId).prettify());
    }

    /** Polls until the run, as the API shows it, satisfies {@code condition}; returns it then. */
    public static JsonPath awaitRun(long runId, java.util.function.Predicate<JsonPath> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath run = get(runId);
            if (condition.test(run)) {
                return run;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("run " + runId + " did not get there within " + timeout + ": " + get(runId).prettify());
    }

    /**
     * Whether a run has ended, read from its row over {@code c}. Benchmarks use it while they time something: a
     * REST Assured request, or a new connection, costs milliseconds of CPU on a machine the client shares with
     * what it measures.
     */
    public static boolean endedInDatabase(java.sql.Connection c, long runId) {
        try (java.sql.PreparedStatement p = c.prepareStatement("select state in ('completed', 'failed', 'cancelled') from docshift.migration_run where id = ?")) {
            p.setLong(1, runId);
            try (java.sql.ResultSet r = p.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Polls {@link #endedInDatabase} over one connection until the run has ended. */
    public static void awaitEndInDatabase(long runId, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (java.sql.Connection c = TestDb.connect()) {
            while (!endedInDatabase(c, runId)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("run " + runId + " did not end within " + timeout);
                }
                Thread.sleep(20);
            }
        }
    }
}
