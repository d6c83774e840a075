package io.docshift.contract;

import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static io.docshift.support.Api.docs;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** An Idempotency-Key is remembered for docshift.documents.idempotency-window, then it is a new key. */
@QuarkusTest
@TestProfile(IdempotencyWindowTest.ShortWindow.class)
class IdempotencyWindowTest {

    /** A window of six seconds: long enough for the replay below on a loaded machine, short enough to wait out. */
    public static class ShortWindow implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("docshift.documents.idempotency-window", "6s");
        }
    }

    @Test
    void aKeyOlderThanTheWindowIsNewAgain() throws Exception {
        String t = TestDb.freshTable("window");
        String key = UUID.randomUUID().toString();
        String first = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body("{\"a\":1}").post(docs(t)).then().statusCode(201).extract().path("_id");
        assertEquals(first, given().header("Idempotency-Key", key).contentType(ContentType.JSON).body("{\"a\":1}").post(docs(t)).then().statusCode(201)
                .header("Idempotent-Replayed", "true").extract().path("_id"));
        // the window is a duration: this test has to let it pass
        long deadline = System.nanoTime() + 30_000_000_000L;
        String again = first;
        while (again.equals(first) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            again = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body("{\"a\":1}").post(docs(t)).then().statusCode(201).extract().path("_id");
        }
        assertNotEquals(first, again, "after the window the key is new: a second document");
        assertEquals(2, TestDb.count(t));
    }
}
