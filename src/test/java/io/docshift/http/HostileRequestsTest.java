package io.docshift.http;

import io.docshift.support.RawClients;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static io.docshift.support.Api.docs;
import static io.docshift.support.Api.insert;
import static io.docshift.support.Api.problem;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Requests malformed below the JSON: their encoding, their headers, their size. Each is a 4xx problem and writes nothing. */
@QuarkusTest
class HostileRequestsTest {

    private static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    }

    @Test
    void anOverlongUtf8SequenceIsRefusedNotStoredAsASlash() {
        String table = TestDb.freshTable("utf8");
        byte[] overlong = {'{', '"', 'p', '"', ':', '"', 'a', (byte) 0xC0, (byte) 0xAF, 'b', '"', '}'};
        problem(given().contentType(ContentType.JSON).body(overlong).post(docs(table)).then(), 400, "/");
        byte[] surrogate = {'{', '"', 'p', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};
        problem(given().contentType(ContentType.JSON).body(surrogate).post(docs(table)).then(), 400, "/");
        assertFalse(TestDb.tableExists(table), "a refused insert creates no table");
        given().contentType(ContentType.JSON).body("{\"p\":\"a/b é ✓ 𝄞\"}".getBytes(StandardCharsets.UTF_8)).post(docs(table)).then().statusCode(201);
    }

    @Test
    void aBodyWithoutAContentTypeIs415() throws Exception {
        String table = TestDb.freshTable("notype");
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        for (String type : new String[]{null, "", " "}) {
            String head = "POST " + docs(table) + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (type == null ? "" : "Content-Type:" + type + "\r\n") + "Content-Length: " + body.length + "\r\n\r\n";
            String answer = RawClients.exchange(port(), head, body);
            assertTrue(answer.startsWith("HTTP/1.1 415"), "Content-Type " + type + ": " + answer);
            assertTrue(answer.contains("application/problem+json"), answer);
        }
        assertFalse(TestDb.tableExists(table));
    }

    @Test
    void anEmptyIdempotencyKeyIs400() {
        String table = TestDb.freshTable("emptykey");
        problem(given().contentType(ContentType.JSON).header("Idempotency-Key", "").body("{\"a\":1}").post(docs(table)).then(), 400, "Idempotency-Key");
        assertFalse(TestDb.tableExists(table));
    }

    @Test
    void aReusedIdempotencyKeyCreatesNoTable() {
        String first = TestDb.freshTable("keyed");
        String key = java.util.UUID.randomUUID().toString();
        given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"a\":1}").post(docs(first)).then().statusCode(201);
        String second = TestDb.freshTable("keyed");
        problem(given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("{\"a\":2}").post(docs(second)).then(), 422, "Idempotency-Key");
        problem(given().contentType(ContentType.JSON).header("Idempotency-Key", key).body("[{\"a\":2}]").post(docs(second) + "/batch").then(), 422, "Idempotency-Key");
        assertFalse(TestDb.tableExists(second), "a refused insert creates no table");
    }

    @Test
    void aBodyOverTheLimitIsA413Problem() throws Exception {
        String table = TestDb.freshTable("huge");
        insert(table, "{\"a\":1}");
        long announced = 65L << 20;
        String head = "POST " + docs(table) + "/batch HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + announced + "\r\n\r\n";
        String answer = RawClients.exchange(port(), head, "[".getBytes(StandardCharsets.US_ASCII));
        assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
        assertTrue(answer.contains("application/problem+json") && answer.contains("\"status\":413"), answer);
    }

    @Test
    void anUnknownHttpVersionIs505() throws Exception {
        String answer = RawClients.exchange(port(), "GET /api/tables HTTP/9.9\r\nHost: localhost\r\nConnection: close\r\n\r\n", new byte[0]);
        assertTrue(answer.matches("(?s)HTTP/\\S+ 505 .*") && answer.contains("application/problem+json"), answer);
        given().get("/api/tables").then().statusCode(200);
    }
}
