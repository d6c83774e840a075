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
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ways back around a transition on ONE process, as a user takes them: a push whose listed migrations would
 * not cure the data is refused with the forecast and opens nothing; a transition that fails verification (documents
 * written behind its back) refuses a corrected push naming its ways out, and fixing the documents by another
 * migration, then resuming the sweep, brings it to active; a later push that still lists the applied migrations
 * activates without sweeping again.
 */
@QuarkusTest
class TransitionRecoveryTest {

    @AfterEach
    void closeLeftoverTransition() {
        Transitions.forceClose();
    }

    @Test
    void aFailedTransitionRecoversOnOneProcessAndAppliedMigrationsAreNotRunAgain() throws Exception {
        String t = TestDb.freshTable("customers");
        String v1 = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"visits\":{\"type\":\"number\",\"optional\":true}}}}}";
        String v2 = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"status\":{\"type\":\"string\"}}}}}";
        given().contentType(ContentType.JSON).body(v1).put("/api/schema").then().statusCode(200);
        TestDb.bulkLoad(t, 3_000, "case when g % 10 = 0 then jsonb_build_object('name', 'c' || g, 'visits', g) else jsonb_build_object('name', 'c' || g) end");
        String backfill = "backfillStatus_" + t;
        Runs.define(backfill, "{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":1000,\"steps\":[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"active\"}]}");
        String unset = "unsetVisits_" + t;
        Runs.define(unset, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"unset\",\"field\":\"visits\"}]}");

        // the listed migration does not touch visits: the plan and the push say 300 documents would still violate
        JsonPath plan = given().contentType(ContentType.JSON).body(through(v2, backfill)).post("/api/schema/plan").then().statusCode(200).extract().jsonPath();
        assertEquals(3_000, plan.getInt("violations[0].violating"));
        assertEquals(300, plan.getInt("violations[0].afterMigrations.violating"), plan.prettify());
        assertEquals(3_000, plan.getInt("violations[0].afterMigrations.simulated"));
        assertEquals(false, plan.getBoolean("applicable"));
        Integer before = given().get("/api/schema/transition").then().extract().path("id");
        Api.problem(given().contentType(ContentType.JSON).body(through(v2, backfill)).put("/api/schema").then(), 422, null)
                .body("tables[0].afterMigrations.violating", equalTo(300)).body("violations[0].path", containsString("/visits"));
        given().get("/api/schema/transition").then().body("id", equalTo(before));
        assertEquals(true, given().contentType(ContentType.JSON).body(through(v2, backfill + "\",\"" + unset)).post("/api/schema/plan")
                .then().extract().path("applicable"), "with the unset listed too, the forecast is clean");

        // a transition that fails verification: documents written behind its back at its version, with visits
        int target = given().contentType(ContentType.JSON).body(through(v2, backfill + "\",\"" + unset)).put("/api/schema")
                .then().statusCode(202).extract().path("version");
        TestDb.bulkLoad(t, 5, "jsonb_build_object('name', 'late' || g, 'status', 'active', 'visits', g)", target);
        JsonPath failed = awaitTransitionState(Duration.ofMinutes(2), "failed", "active");
        assertEquals("failed", failed.getString("state"), failed.prettify());
        assertEquals(5, failed.getInt("error.violating"));
        long transition = failed.getLong("id");
        long sweep = failed.getLong("migrations[0].runId");

        // a corrected push is refused, naming the failed transition and both ways out; nothing changes
        Api.problem(given().contentType(ContentType.JSON).body(through(v2, backfill + "\",\"" + unset)).put("/api/schema").then(), 409, null)
                .body("transitionId", equalTo((int) transition)).body("state", equalTo("failed")).body("resumeRun", equalTo((int) sweep))
                .body("detail", containsString("resume")).body("detail", containsString("roll it back"));
        given().get("/api/schema/transition").then().body("id", equalTo((int) transition)).body("state", equalTo("failed"));

        // fix the documents with another migration, then resume the transition's sweep: it verifies again and activates
        String fix = "unsetVisitsAgain_" + t;
        Runs.define(fix, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"unset\",\"field\":\"visits\"}]}");
        assertEquals("completed", Runs.awaitEnd(Runs.start(fix, "{}"), Duration.ofMinutes(1)).getString("state"));
        given().post("/api/migrations/runs/" + sweep + "/resume").then().statusCode(200);
        JsonPath active = awaitTransitionState(Duration.ofMinutes(1), "active");
        assertEquals(transition, active.getLong("id"));
        assertEquals(0, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data ? 'visits' or not data ? 'status'"));
        Api.problem(given().contentType(ContentType.JSON).body("{\"name\":\"x\",\"status\":\"new\",\"visits\":1}").post(Api.docs(t)).then(), 400, "/visits");

        // a later push that still lists the applied migrations (a stale entry) activates: no sweep, no transition
        String v3 = v2.replace("\"status\":{\"type\":\"string\"}", "\"status\":{\"type\":\"string\"},\"tier\":{\"type\":\"string\",\"optional\":true}");
        given().contentType(ContentType.JSON).body(through(v3, backfill + "\",\"" + unset)).post("/api/schema/plan").then().statusCode(200)
                .body("alreadyApplied", hasItems(backfill, unset)).body("applicable", equalTo(true));
        given().contentType(ContentType.JSON).body(through(v3, backfill + "\",\"" + unset)).put("/api/schema").then().statusCode(200);
        given().get("/api/schema/transition").then().body("id", equalTo((int) transition));
    }

    /** {@code schema} with {@code "migrations": [names]} ({@code names} already joined by {@code ","} with inner quotes). */
    static String through(String schema, String names) {
        return schema.substring(0, schema.length() - 1) + ",\"migrations\":[\"" + names + "\"]}";
    }
}
