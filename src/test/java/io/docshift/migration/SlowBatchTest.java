package io.docshift.migration;

import io.docshift.support.Api;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A batch slower than the statement timeout (half of stale-after) is rolled back and retried smaller, instead
 * of failing the run or being redone forever: here each document's countRelated scans 60,000 unindexed
 * projects, so the first batch of 100 takes seconds.
 */
@QuarkusTest
@TestProfile(SlowBatchTest.ShortStaleAfter.class)
class SlowBatchTest {

    /** stale-after 2 s: statements of a run time out after 1 s. */
    public static class ShortStaleAfter implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("docshift.coordination.stale-after", "2s");
        }
    }

    @Test
    void aBatchPastTheStatementTimeoutIsRetriedSmallerAndTheRunCompletes() throws Exception {
        String customers = TestDb.freshTable("slowcustomers");
        String projects = TestDb.freshTable("slowprojects");
        Api.insert(customers, "{\"name\":\"c0\"}");
        TestDb.bulkLoad(customers, 199, "jsonb_build_object('name', 'c' || g)");
        Api.insert(projects, "{\"customerId\":\"nobody\"}");
        TestDb.bulkLoad(projects, 60_000, "jsonb_build_object('customerId', 'nobody' || g)");
        String m = "countSlow_" + customers;
        Runs.define(m, "{\"table\":\"" + customers + "\",\"steps\":[{\"op\":\"countRelated\",\"field\":\"projectCount\",\"table\":\"" + projects
                + "\",\"foreignKey\":\"customerId\"}]}");
        long run = Runs.start(m, "{}");
        JsonPath done = Runs.awaitEnd(run, Duration.ofMinutes(3));
        assertEquals("completed", done.getString("state"), done.prettify());
        assertEquals(200, done.getLong("processed"));
        assertEquals(200, done.getLong("changed"));
        assertEquals(200, TestDb.scalar("select count(*) from " + TestDb.physical(customers) + " where data->'projectCount' = '0'"));
        long batch = TestDb.scalar("select batch_size from docshift.migration_run where id = " + run);
        assertTrue(batch < 100, "the batch shrank below its first size of 100 after timing out: " + batch);
    }
}
