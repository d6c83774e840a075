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
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A rollback after activation keeps what clients wrote since, whenever it fits the version it returns to as it
 * is: a region a client set on a document after a setDefault transition survives the rollback, and the documents
 * nobody touched get their saved bodies back.
 */
@QuarkusTest
class RollbackKeepsClientDataTest {

    @AfterEach
    void closeLeftoverTransition() {
        Transitions.forceClose();
    }

    @Test
    void aRollbackAfterActivationKeepsADocumentAClientWroteWhenItFitsThePreviousVersion() throws Exception {
        String t = regionTransition(500, "");
        awaitTransitionState(Duration.ofMinutes(1), "active");

        String moved = TestDb.sampleIds(t, 1).get(0);
        given().contentType("application/merge-patch+json").body("{\"region\":\"us-east\"}").patch(Api.docs(t) + "/" + moved)
                .then().statusCode(200).body("region", equalTo("us-east"));

        JsonPath rolling = given().post("/api/schema/transition/rollback").then().extract().jsonPath();
        assertEquals("rollingBack", rolling.getString("state"), rolling.prettify());
        awaitTransitionState(Duration.ofMinutes(1), "rolledBack");
        given().get(Api.docs(t) + "/" + moved).then().statusCode(200).body("region", equalTo("us-east"));
        assertEquals(1, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data ? 'region'"), "the others lost the default");
    }

    @Test
    void aRollbackOfAnOpenTransitionKeepsADocumentAClientWroteWhenItFitsThePreviousVersion() throws Exception {
        String t = regionTransition(2_000, "\"maxDocumentsPerSecond\":200,");

        java.util.List<String> ids = TestDb.sampleIds(t, 2_000);
        String swept = ids.get(0);
        String ahead = ids.get(ids.size() - 1);
        for (String id : java.util.List.of(swept, ahead)) {
            given().contentType("application/merge-patch+json").body("{\"region\":\"us-east\"}").patch(Api.docs(t) + "/" + id)
                    .then().statusCode(200).body("region", equalTo("us-east"));
        }
        given().get("/api/schema/transition").then().body("state", equalTo("migrating"));
        JsonPath rolling = given().post("/api/schema/transition/rollback").then().extract().jsonPath();
        assertEquals("rollingBack", rolling.getString("state"), rolling.prettify());
        awaitTransitionState(Duration.ofMinutes(1), "rolledBack");
        for (String id : java.util.List.of(swept, ahead)) {
            given().get(Api.docs(t) + "/" + id).then().statusCode(200).body("region", equalTo("us-east"));
        }
        assertEquals(2, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data ? 'region'"), "the others lost the default");
    }

    /**
     * A table of {@code documents} accounts (region optional) and a transition, opened, that makes region required
     * by a setDefault kept in backups; {@code options} go into the migration's definition.
     */
    private static String regionTransition(int documents, String options) {
        String t = TestDb.freshTable("accounts");
        String v1 = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"region\":{\"type\":\"string\",\"optional\":true}}}}}";
        given().contentType(ContentType.JSON).body(v1).put("/api/schema").then().statusCode(200);
        Api.insert(t, "{\"name\":\"first\"}");
        TestDb.bulkLoad(t, documents - 1, "jsonb_build_object('name', 'a' || g)");
        String m = "defaultRegion_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"backup\":true," + options + "\"steps\":[{\"op\":\"setDefault\",\"field\":\"region\",\"value\":\"eu-west\"}]}");
        String v2 = v1.replace(",\"optional\":true", "");
        given().contentType(ContentType.JSON).body(TransitionRecoveryTest.through(v2, m)).put("/api/schema").then().statusCode(202);
        return t;
    }
}
