package io.docshift.transition;

import io.docshift.support.Api;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.docshift.transition.TransitionScenariosTest.awaitTransitionState;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ways back from a failed transition on ONE process, as a user takes them: a corrected push is refused naming
 * the failed transition and its ways out (never answered with the old transition), and fixing the documents by
 * another migration, then resuming the transition's sweep, brings it to active.
 */
@QuarkusTest
class TransitionRecoveryTest {

    @AfterEach
    void closeLeftoverTransition() {
        Transitions.forceClose();
    }

    @Test
    void verificationFailureRecoversOnOneProcessAfterTheDocumentsAreFixedAndTheSweepResumed() throws Exception {
        String t = TestDb.freshTable("customers");
        String v1 = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"visits\":{\"type\":\"number\",\"optional\":true}}}}}";
        String v2 = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"status\":{\"type\":\"string\"}}}}}";
        given().contentType(ContentType.JSON).body(v1).put("/api/schema").then().statusCode(200);
        TestDb.bulkLoad(t, 3_000, "case when g % 10 = 0 then jsonb_build_object('name', 'c' || g, 'visits', g) else jsonb_build_object('name', 'c' || g) end");
        String backfill = "backfillStatus_" + t;
        Runs.define(backfill, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"active\"}]}");

        // the listed migration does not touch visits: the sweep completes, verification fails
        given().contentType(ContentType.JSON).body(through(v2, backfill)).put("/api/schema")
                .then().statusCode(202);
        JsonPath failed = awaitTransitionState(Duration.ofMinutes(2), "failed", "active");
        assertEquals("failed", failed.getString("state"), failed.prettify());
        assertEquals(300, failed.getInt("error.violating"));
        long transition = failed.getLong("id");
        long sweep = failed.getLong("migrations[0].runId");

        // a corrected push is refused, naming the failed transition and both ways out; nothing changes
        String unset = "unsetVisits_" + t;
        Runs.define(unset, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"unset\",\"field\":\"visits\"}]}");
        Api.problem(given().contentType(ContentType.JSON).body(through(v2, backfill + "\",\"" + unset))
                .put("/api/schema").then(), 409, null)
                .body("transitionId", equalTo((int) transition)).body("state", equalTo("failed")).body("resumeRun", equalTo((int) sweep))
                .body("detail", containsString("resume")).body("detail", containsString("roll it back"));
        given().get("/api/schema/transition").then().body("id", equalTo((int) transition)).body("state", equalTo("failed"));

        // fix the documents with another migration, then resume the transition's sweep: it verifies again and activates
        assertEquals("completed", Runs.awaitEnd(Runs.start(unset, "{}"), Duration.ofMinutes(1)).getString("state"));
        given().post("/api/migrations/runs/" + sweep + "/resume").then().statusCode(200);
        JsonPath active = awaitTransitionState(Duration.ofMinutes(1), "active");
        assertEquals(transition, active.getLong("id"));
        assertEquals(0, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data ? 'visits' or not data ? 'status'"));
        Api.problem(given().contentType(ContentType.JSON).body("{\"name\":\"x\",\"status\":\"new\",\"visits\":1}").post(Api.docs(t)).then(), 400, "/visits");
    }

    /** {@code schema} with {@code "migrations": [names]} ({@code names} already joined by {@code ","} with inner quotes). */
    static String through(String schema, String names) {
        return schema.substring(0, schema.length() - 1) + ",\"migrations\":[\"" + names + "\"]}";
    }
}
