package io.docshift.migration;

import io.docshift.support.Bulk;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the run views say is true: rolled-back runs, partial runs, totals that follow the count, working time. */
@QuarkusTest
class RunStatusTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void aRunTakenBackByARollbackReadsRolledBackEverywhere() throws Exception {
        String customers = TestDb.freshTable("customers");
        Bulk.insert(customers, 20, i -> "{\"name\":\"C" + i + "\"}");
        String m = "denormalizeData_" + customers;
        Runs.define(m, "{\"table\":\"" + customers + "\",\"backup\":true,\"steps\":[{\"op\":\"set\",\"field\":\"projectCount\",\"value\":0}]}");
        long run = Runs.start(m, "{}");
        assertEquals("completed", Runs.awaitEnd(run, WAIT).getString("state"));
        given().get("/api/migrations/" + m).then().statusCode(200).body("state", org.hamcrest.Matchers.equalTo("completed"));

        long rollback = given().post("/api/migrations/runs/" + run + "/rollback").then().statusCode(202).extract().jsonPath().getLong("runId");
        assertEquals("completed", Runs.awaitEnd(rollback, WAIT).getString("state"));

        JsonPath original = Runs.get(run);
        assertEquals("rolledBack", original.getString("state"));
        assertEquals(rollback, original.getLong("rolledBackBy"));
        JsonPath migration = given().get("/api/migrations/" + m).then().statusCode(200).extract().jsonPath();
        assertEquals("rolledBack", migration.getString("state"), "the migration's data is as before it ran");
        assertEquals(List.of("completed", "rolledBack"), migration.getList("runs.state"), "newest first: the rollback, then the run it took back");
        Map<String, Object> listed = given().get("/api/migrations").then().statusCode(200).extract().jsonPath()
                .getMap("find { it.name == '" + m + "' }");
        assertEquals("rolledBack", listed.get("state"));
        List<Map<String, Object>> log = given().get("/api/migrations/log").then().statusCode(200).extract().jsonPath()
                .getList("findAll { it.name == '" + m + "' }");
        assertEquals("completed", log.get(0).get("state"));
        assertEquals((int) run, log.get(0).get("rollbackOf"));
        assertEquals("rolledBack", log.get(1).get("state"));
        assertEquals((int) rollback, log.get(1).get("rolledBackBy"));
        assertEquals(0, TestDb.scalar("select count(*) from docshift.migration_run where id = " + run + " and state <> 'completed'"),
                "the stored state stays completed: rolledBack is derived");
    }

    @Test
    void aRunWithALimitSaysSoAndCountsToItsLimit() throws Exception {
        String customers = TestDb.freshTable("customers");
        Bulk.insert(customers, 1000, i -> "{\"name\":\"C" + i + "\"}");
        String m = "tier_" + customers;
        Runs.define(m, "{\"table\":\"" + customers + "\",\"steps\":[{\"op\":\"set\",\"field\":\"tier\",\"value\":\"gold\"}]}");
        JsonPath run = Runs.awaitEnd(Runs.start(m, "{\"limit\": 100}"), WAIT);
        assertEquals("completed", run.getString("state"));
        assertEquals(100, run.getLong("limit"));
        assertEquals(100, run.getLong("processed"));
        assertEquals(100, run.getLong("total"), "a partial run is whole at its limit, not at 1,000");
        Map<String, Object> entry = given().get("/api/migrations/log").then().extract().jsonPath().getMap("find { it.name == '" + m + "' }");
        assertEquals(100, entry.get("limit"));

        JsonPath whole = Runs.awaitEnd(Runs.start(m, "{}"), WAIT);
        assertNull(whole.get("limit"));
        assertEquals(1000, whole.getLong("total"));
    }

    @Test
    void theTotalFollowsDocumentsInsertedWhileARunWorks() throws Exception {
        String customers = TestDb.freshTable("customers");
        Bulk.insert(customers, 3000, i -> "{\"name\":\"C" + i + "\"}");
        String m = "slowTier_" + customers;
        Runs.define(m, "{\"table\":\"" + customers + "\",\"maxDocumentsPerSecond\":1500,\"steps\":[{\"op\":\"set\",\"field\":\"tier\",\"value\":\"gold\"}]}");
        long id = Runs.start(m, "{}");
        assertEquals(3000, Runs.get(id).getLong("total"));
        Runs.awaitRun(id, r -> r.getLong("processed") > 0, WAIT);
        Bulk.insert(customers, 1000, i -> "{\"name\":\"late" + i + "\"}");
        JsonPath run = Runs.awaitRun(id, r -> {
            assertTrue(r.getLong("processed") <= r.getLong("total"), "never more processed than the total: " + r.prettify());
            return !r.getString("state").equals("running") && !r.getString("state").equals("pending");
        }, WAIT);
        assertEquals("completed", run.getString("state"));
        assertEquals(4000, run.getLong("processed"), "the documents inserted meanwhile were walked too");
        assertEquals(4000, run.getLong("total"));
    }

    @Test
    void durationIsWorkingTimeNotTheTimeSpentCancelled() throws Exception {
        String customers = TestDb.freshTable("customers");
        Bulk.insert(customers, 3000, i -> "{\"name\":\"C" + i + "\"}");
        String m = "slowStatus_" + customers;
        Runs.define(m, "{\"table\":\"" + customers + "\",\"maxDocumentsPerSecond\":2000,\"steps\":[{\"op\":\"set\",\"field\":\"status\",\"value\":\"active\"}]}");
        long id = Runs.start(m, "{}");
        Runs.awaitRun(id, r -> r.getLong("processed") > 0, WAIT);
        given().post("/api/migrations/runs/" + id + "/cancel").then().statusCode(200);
        Runs.awaitEnd(id, WAIT);
        // as if it had then stayed cancelled for ten minutes before the resume
        try (Connection c = TestDb.connect(); PreparedStatement p = c.prepareStatement("update docshift.migration_run set"
                + " started_at = started_at - interval '10 minutes', heartbeat_at = heartbeat_at - interval '10 minutes',"
                + " requested_at = requested_at - interval '10 minutes' where id = ?")) {
            p.setLong(1, id);
            assertEquals(1, p.executeUpdate());
        }
        given().post("/api/migrations/runs/" + id + "/resume").then().statusCode(200);
        JsonPath run = Runs.awaitEnd(id, WAIT);
        assertEquals("completed", run.getString("state"));
        long worked = run.getLong("workedMs");
        assertTrue(worked > 500 && worked < 60_000, "about 1.5 s of throttled work, not the ten minutes cancelled: " + worked);
        assertTrue(run.getDouble("documentsPerSecond") > 500, "the rate is over the working time: " + run.getDouble("documentsPerSecond"));
        Map<String, Object> entry = given().get("/api/migrations/log").then().extract().jsonPath().getMap("find { it.runId == " + id + " }");
        assertEquals(worked, ((Number) entry.get("durationMs")).longValue());
    }
}
