package io.docshift.ops;

import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code /api/workers} lists the pods seen lately, alive by stale-after, and leaves long-dead pods out. */
@QuarkusTest
class WorkerResourceTest {

    @Test
    void aPodSilentPastStaleAfterIsNotAliveAndOneSilentForAnHourIsNotListed() throws Exception {
        String quiet = "quiet-" + UUID.randomUUID();
        String gone = "gone-" + UUID.randomUUID();
        try (Connection c = TestDb.connect(); PreparedStatement p = c.prepareStatement("insert into docshift.worker (id, started_at, heartbeat_at)"
                + " values (?, now() - interval '2 hours', now() - interval '1 minute'), (?, now() - interval '2 hours', now() - interval '1 hour')")) {
            p.setString(1, quiet);
            p.setString(2, gone);
            p.executeUpdate();
        }
        try {
            JsonPath pods = given().get("/api/workers").then().statusCode(200).extract().jsonPath();
            Map<String, Object> silent = pods.getMap("find { it.id == '" + quiet + "' }");
            assertEquals(false, silent.get("alive"), "a minute without a heartbeat is past stale-after: " + silent);
            assertNull(pods.getMap("find { it.id == '" + gone + "' }"), "an hour silent: left out");
            List<Boolean> alive = pods.getList("alive");
            assertTrue(alive.contains(true), "this pod beats: " + pods.prettify());
        } finally {
            try (Connection c = TestDb.connect(); PreparedStatement p = c.prepareStatement("delete from docshift.worker where id in (?, ?)")) {
                p.setString(1, quiet);
                p.setString(2, gone);
                p.executeUpdate();
            }
        }
    }
}
