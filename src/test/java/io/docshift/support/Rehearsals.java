package io.docshift.support;

import io.restassured.path.json.JsonPath;

import java.time.Duration;

import static io.restassured.RestAssured.given;

/** Starts rehearsals and waits for their reports, by polling their state (never by sleeping blindly). */
public final class Rehearsals {

    private Rehearsals() {
    }

    /** {@code POST /api/schema/rehearsals} of a JSON schema ({@code query}: "" or "?sample=N"); the id of the rehearsal started. */
    public static long start(String schema, String query) {
        return given().contentType("application/json").body(schema).post("/api/schema/rehearsals" + query)
                .then().statusCode(202).extract().jsonPath().getLong("id");
    }

    public static JsonPath get(long id) {
        return given().get("/api/schema/rehearsals/" + id).then().statusCode(200).extract().jsonPath();
    }

    /** Polls until the rehearsal has ended (completed or failed) and returns its report. */
    public static JsonPath awaitEnd(long id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonPath report = get(id);
            if (!"running".equals(report.getString("state"))) {
                return report;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("rehearsal " + id + " did not end within " + timeout + ": " + get(id).prettify());
    }
}
