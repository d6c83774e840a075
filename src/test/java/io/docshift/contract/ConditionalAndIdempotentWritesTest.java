package io.docshift.contract;

import io.docshift.support.Api;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.docshift.support.Api.docs;
import static io.docshift.support.Api.problem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.emptyString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ETag, If-Match and If-None-Match on documents (RFC 9110), and Idempotency-Key on inserts. */
@QuarkusTest
class ConditionalAndIdempotentWritesTest {

    @Test
    void everyDocumentResponseCarriesAStrongEtagThatWritesAndReadsAreConditionalOn() {
        String t = TestDb.freshTable("etag");
        Response created = given().contentType(ContentType.JSON).body("{\"name\":\"Ada\",\"visits\":1}").post(docs(t));
        created.then().statusCode(201);
        String id = created.path("_id");
        String tag = created.header("ETag");
        assertTrue(tag.matches("\"\\d+-\\d+\""), "a strong tag: " + tag);
        assertEquals(tag, given().get(docs(t) + "/" + id).then().statusCode(200).extract().header("ETag"));
        given().header("If-None-Match", tag).get(docs(t) + "/" + id).then().statusCode(304).body(emptyString()).header("ETag", tag);
        given().header("If-None-Match", "\"1-1\"").get(docs(t) + "/" + id).then().statusCode(200);

        String patched = given().header("If-Match", tag).contentType("application/merge-patch+json").body("{\"visits\":2}").patch(docs(t) + "/" + id)
                .then().statusCode(200).body("visits", equalTo(2)).extract().header("ETag");
        assertNotEquals(tag, patched, "a write takes a new revision");
        // a client still holding the old tag loses, and nothing is written
        problem(given().header("If-Match", tag).contentType("application/merge-patch+json").body("{\"visits\":99}").patch(docs(t) + "/" + id).then(), 412, null)
                .body("currentEtag", equalTo(patched)).body("detail", containsString("Nothing was written"));
        problem(given().header("If-Match", tag).contentType(ContentType.JSON).body("{\"name\":\"x\"}").put(docs(t) + "/" + id).then(), 412, null);
        problem(given().header("If-Match", tag).delete(docs(t) + "/" + id).then(), 412, null);
        given().get(docs(t) + "/" + id).then().statusCode(200).body("visits", equalTo(2)).body("name", equalTo("Ada"));

        String replaced = given().header("If-Match", "\"1-1\", " + patched).contentType(ContentType.JSON).body("{\"name\":\"Ada King\"}").put(docs(t) + "/" + id)
                .then().statusCode(200).extract().header("ETag");
        given().header("If-Match", "*").contentType("application/merge-patch+json").body("{\"n\":1}").patch(docs(t) + "/" + id).then().statusCode(200);
        problem(given().header("If-Match", "not-a-tag").contentType("application/merge-patch+json").body("{}").patch(docs(t) + "/" + id).then(), 400, "If-Match");
        problem(given().header("If-Match", replaced).delete(docs(t) + "/" + id).then(), 412, null);
        String current = given().get(docs(t) + "/" + id).then().extract().header("ETag");
        given().header("If-Match", current).delete(docs(t) + "/" + id).then().statusCode(204);
        given().get(docs(t) + "/" + id).then().statusCode(404);
    }

    @Test
    void aRetriedInsertWithTheSameIdempotencyKeyIsStoredOnceAndAnotherBodyIs422() {
        String t = TestDb.freshTable("idem");
        String key = UUID.randomUUID().toString();
        Response first = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body("{\"order\":1}").post(docs(t));
        first.then().statusCode(201);
        Response again = given().header("Idempotency-Key", key).contentType(ContentType.JSON).body("{\"order\":1}").post(docs(t));
        again.then().statusCode(201).header("Idempotent-Replayed", "true");
        assertEquals(first.asString(), again.asString(), "the first response, replayed");
        assertEquals(first.header("Location"), again.header("Location"));
        assertEquals(first.header("ETag"), again.header("ETag"));
        assertEquals(1, TestDb.count(t), "stored once");
        problem(given().header("Idempotency-Key", key).contentType(ContentType.JSON).body("{\"order\":2}").post(docs(t)).then(), 422, "Idempotency-Key");
        assertEquals(1, TestDb.count(t));

        String batchKey = UUID.randomUUID().toString();
        String ids = given().header("Idempotency-Key", batchKey).contentType(ContentType.JSON).body("[{\"a\":1},{\"a\":2}]").post(docs(t) + "/batch")
                .then().statusCode(201).extract().asString();
        given().header("Idempotency-Key", batchKey).contentType(ContentType.JSON).body("[{\"a\":1},{\"a\":2}]").post(docs(t) + "/batch")
                .then().statusCode(201).header("Idempotent-Replayed", "true").body(equalTo(ids));
        assertEquals(3, TestDb.count(t));
        // a failed request stores no key: its retry runs afresh
        String failing = UUID.randomUUID().toString();
        problem(given().header("Idempotency-Key", failing).contentType(ContentType.JSON).body("{\"_bad\":1}").post(docs(t)).then(), 400, "/_bad");
        given().header("Idempotency-Key", failing).contentType(ContentType.JSON).body("{\"good\":1}").post(docs(t)).then().statusCode(201);
        problem(given().header("Idempotency-Key", "has space").contentType(ContentType.JSON).body("{}").post(docs(t)).then(), 400, "Idempotency-Key");
        Api.insert(t, "{\"without\":\"a key\"}");
        assertEquals(5, TestDb.count(t));
    }
}
