package io.docshift.writes;

import io.docshift.coordination.AdvisoryLocks;
import io.docshift.support.Api;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The write gate is per table and bounded: while a table's gate is closed (as a schema activation closes it to
 * re-check what was written during its scan), a writer to it waits at most docshift.schema.gate-timeout and
 * then answers 503 with Retry-After, nothing stored; writes to every other table go on meanwhile.
 */
@QuarkusTest
class WriteGateTest {

    @Inject
    AdvisoryLocks locks;

    @Test
    void aWriterThatCannotEnterItsTablesGateGets503WhileOtherTablesAreWritten() throws Exception {
        String closed = TestDb.freshTable("gated");
        String open = TestDb.freshTable("free");
        Api.insert(closed, "{\"n\":0}");
        Api.insert(open, "{\"n\":0}");
        try (Connection c = TestDb.connect()) {
            c.setAutoCommit(false);
            try (PreparedStatement p = c.prepareStatement("select pg_advisory_xact_lock(?, ?)")) {
                p.setInt(1, locks.key(AdvisoryLocks.Purpose.SCHEMA_GATE));
                p.setInt(2, closed.hashCode());
                p.execute();
            }
            Response refused = given().contentType(ContentType.JSON).body("{\"n\":1}").post(Api.docs(closed));
            refused.then().statusCode(503).contentType("application/problem+json")
                    .body("reason", equalTo("lock-timeout")).body("retryable", equalTo(true));
            assertNotNull(refused.getHeader("Retry-After"));
            Api.insert(open, "{\"n\":1}"); // another table's gate is its own
            given().get(Api.docs(closed) + "?limit=5").then().statusCode(200); // reads never wait for a gate
            c.rollback();
        }
        assertEquals(1, TestDb.count(closed), "the refused write stored nothing");
        Api.insert(closed, "{\"n\":2}");
        assertEquals(2, TestDb.count(closed));
    }
}
