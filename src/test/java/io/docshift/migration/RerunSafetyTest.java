package io.docshift.migration;

import io.docshift.support.Api;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A rerun never destroys data without a word: a rerun whose dry run would change documents again (a split that
 * removed its source) is refused with the count and examples, an idempotent one runs, and {@code force} runs it
 * anyway. Arguments given to a declarative migration, which reads none, are refused rather than dropped.
 */
@QuarkusTest
class RerunSafetyTest {

    @Test
    void aRerunThatWouldChangeItsOwnOutputIsRefusedUnlessForced() throws Exception {
        String t = TestDb.freshTable("users");
        given().contentType(ContentType.JSON).body("[{\"name\":\"Ada Lovelace\"},{\"name\":\"Grace Hopper\"},{\"name\":\"Edsger Dijkstra\"}]")
                .post(Api.docs(t) + "/batch").then().statusCode(201);
        String split = "splitName_" + t;
        Runs.define(split, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"split\",\"field\":\"name\",\"separator\":\" \",\"into\":[\"firstName\",\"lastName\"]},"
                + "{\"op\":\"unset\",\"field\":\"name\"}]}");
        long first = Runs.start(split, "{}");
        assertEquals("completed", Runs.awaitEnd(first, Duration.ofMinutes(1)).getString("state"));

        Api.problem(given().contentType(ContentType.JSON).body("{\"rerun\":true}").post("/api/migrations/" + split + "/runs").then(), 409, null)
                .body("completedRun", equalTo((int) first)).body("wouldChange", equalTo(3))
                .body("documents[0].before.firstName", equalTo(firstNameOf(t))).body("documents[0].after.firstName", equalTo(""))
                .body("detail", containsString("force"));
        assertEquals(0, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->>'firstName' = ''"), "nothing was written");

        String status = "defaultStatus_" + t;
        Runs.define(status, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"active\"}]}");
        Runs.awaitEnd(Runs.start(status, "{}"), Duration.ofMinutes(1));
        assertEquals("completed", Runs.awaitEnd(Runs.start(status, "{\"rerun\":true}"), Duration.ofMinutes(1)).getString("state"),
                "an idempotent migration reruns");

        long forced = Runs.start(split, "{\"rerun\":true,\"force\":true}");
        assertEquals("completed", Runs.awaitEnd(forced, Duration.ofMinutes(1)).getString("state"));
        assertEquals(3, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->>'firstName' = ''"), "forced, it ran");
    }

    @Test
    void argumentsToADeclarativeMigrationAreRefused() {
        String t = TestDb.freshTable("orders");
        Api.insert(t, "{\"n\":1}");
        String m = "defaultState_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"state\",\"value\":\"new\"}]}");
        Api.problem(given().contentType(ContentType.JSON).body("{\"args\":{\"region\":\"eu\"}}").post("/api/migrations/" + m + "/runs").then(), 400, "/args");
        given().get("/api/migrations/" + m).then().statusCode(200).body("latestRun", org.hamcrest.Matchers.nullValue());
        Runs.start(m, "{\"args\":{}}");
    }

    private static String firstNameOf(String table) {
        return given().get(Api.docs(table) + "?order=asc&limit=1").then().extract().path("page[0].firstName");
    }
}
