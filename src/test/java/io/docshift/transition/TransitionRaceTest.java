package io.docshift.transition;

import io.docshift.support.Api;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.docshift.transition.TransitionScenariosTest.awaitTransitionState;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A rollback requested while the transition verifies races the activation that verification leads to: one
 * of them wins, the other changes nothing. Verification of 300,000 documents takes long enough to send the
 * rollback in the middle of it.
 */
@QuarkusTest
class TransitionRaceTest {

    static final int DOCUMENTS = 300_000;

    @AfterEach
    void closeLeftoverTransition() {
        Transitions.forceClose();
    }

    @Test
    void aRollbackDuringVerificationEitherWinsOrIsRefusedNeverBoth() throws Exception {
        String t = TestDb.freshTable("verifying");
        String v1 = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"n\":{\"type\":\"number\"}}}}}";
        String v2 = v1.replace("\"name\"", "\"fullName\"");
        int from = given().contentType(ContentType.JSON).body(v1).put("/api/schema").then().statusCode(200).extract().path("version");
        Api.insert(t, "{\"name\":\"first\",\"n\":0}");
        TestDb.bulkLoad(t, DOCUMENTS - 1, "jsonb_build_object('name', 'c' || g, 'n', g)");
        Map<String, String> before = TransitionFailureAndRollbackTest.bodies(t);
        String m = "renameForRace_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"backup\":true,\"steps\":[{\"op\":\"rename\",\"from\":\"name\",\"to\":\"fullName\"}]}");
        int to = given().contentType(ContentType.JSON).body(v2.substring(0, v2.length() - 1) + ",\"migrations\":[\"" + m + "\"]}")
                .put("/api/schema").then().statusCode(202).extract().path("version");

        awaitTransitionState(Duration.ofMinutes(3), "verifying");
        // the rollback closes the gate and checks every document against the version it returns to: on a busy
        // machine that takes longer than RestAssured's 30 s default, so this one request may wait three minutes
        Response rollback = given().config(io.restassured.RestAssured.config().httpClient(io.restassured.config.HttpClientConfig.httpClientConfig()
                .setParam("http.socket.timeout", 180_000))).post("/api/schema/transition/rollback");
        JsonPath end = awaitTransitionState(Duration.ofMinutes(3), "rolledBack", "active");
        int activeVersion = given().get("/api/schema").then().extract().path("version");
        String physical = TestDb.physical(t);
        if (rollback.statusCode() == 202) {
            assertEquals("rolledBack", end.getString("state"), end.prettify());
            assertEquals(from, activeVersion, "the previous version stays active");
            assertEquals(before, TransitionFailureAndRollbackTest.bodies(t), "every document has its old body back, byte for byte");
            Api.insert(t, "{\"name\":\"old shape\",\"n\":1}");
        } else {
            assertEquals(409, rollback.statusCode(), rollback.asString());
            assertEquals("active", end.getString("state"), end.prettify());
            assertEquals(to, activeVersion, "the target is active");
            assertEquals(DOCUMENTS, TestDb.scalar("select count(*) from " + physical + " where data ? 'fullName' and not data ? 'name'"),
                    "every document is in the new shape");
            assertEquals(0, TestDb.scalar("select count(*) from docshift.migration_run where rollback_of = " + end.getLong("migrations[0].runId")));
        }
        // whichever won, the state, the runs and the active version agree, and stay so
        given().get("/api/schema/transition").then().body("state", equalTo(end.getString("state")));
        assertTrue(TestDb.scalar("select count(*) from docshift.migration_run where state in ('pending', 'running') and transition_id = " + end.getLong("id")) == 0);
        System.out.printf("rollback during verification: %d, transition %s%n", rollback.statusCode(), end.getString("state"));
    }
}
