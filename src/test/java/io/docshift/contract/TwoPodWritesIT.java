package io.docshift.contract;

import io.docshift.support.AppProcess;
import io.docshift.support.TestDb;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Idempotency keys and entity tags hold across pods: an insert retried on the other pod (after the first
 * answer was lost) is stored once, even when both copies arrive at once; and of two clients that read the same
 * version and patch it through different pods, the second gets 412.
 */
class TwoPodWritesIT {

    @Test
    void retriedInsertsOnTheOtherPodAreStoredOnceAndAStaleEtagLosesOnEither() throws Exception {
        try (AppProcess a = AppProcess.start("writes-a", Map.of()); AppProcess b = AppProcess.start("writes-b", Map.of())) {
            a.awaitReady(Duration.ofSeconds(90));
            b.awaitReady(Duration.ofSeconds(90));
            String t = TestDb.freshTable("twopod");
            String key = UUID.randomUUID().toString();
            Response first = given().baseUri(a.baseUri()).header("Idempotency-Key", key).contentType(ContentType.JSON).body("{\"order\":42}")
                    .post("/api/tables/" + t + "/documents");
            first.then().statusCode(201);
            Response retried = given().baseUri(b.baseUri()).header("Idempotency-Key", key).contentType(ContentType.JSON).body("{\"order\":42}")
                    .post("/api/tables/" + t + "/documents");
            retried.then().statusCode(201).header("Idempotent-Replayed", "true");
            assertEquals(first.path("_id").toString(), retried.path("_id").toString());
            assertEquals(1, TestDb.count(t), "a retry on the other pod stores nothing new");

            // twenty copies of one request with one key, at once, through both pods: one document
            String racing = UUID.randomUUID().toString();
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Response>> sent = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String pod = i % 2 == 0 ? a.baseUri() : b.baseUri();
                sent.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return given().baseUri(pod).header("Idempotency-Key", racing).contentType(ContentType.JSON).body("{\"order\":7}").post("/api/tables/" + t + "/documents");
                }));
            }
            go.countDown();
            List<Response> answers = sent.stream().map(CompletableFuture::join).toList();
            assertTrue(answers.stream().allMatch(r -> r.statusCode() == 201), "every copy is answered 201");
            assertEquals(1, answers.stream().map(r -> r.path("_id").toString()).distinct().count(), "with the same document");
            assertEquals(2, TestDb.count(t), "stored once");

            // two clients read the same version; the first patch (pod a) wins, the second (pod b) is 412 and writes nothing
            String id = first.path("_id");
            String seen = given().baseUri(a.baseUri()).get("/api/tables/" + t + "/documents/" + id).then().extract().header("ETag");
            given().baseUri(a.baseUri()).header("If-Match", seen).contentType("application/merge-patch+json").body("{\"by\":\"first\"}")
                    .patch("/api/tables/" + t + "/documents/" + id).then().statusCode(200);
            given().baseUri(b.baseUri()).header("If-Match", seen).contentType("application/merge-patch+json").body("{\"by\":\"second\"}")
                    .patch("/api/tables/" + t + "/documents/" + id).then().statusCode(412).contentType("application/problem+json");
            assertEquals("first", given().baseUri(b.baseUri()).get("/api/tables/" + t + "/documents/" + id).then().extract().path("by"));
        }
    }
}
