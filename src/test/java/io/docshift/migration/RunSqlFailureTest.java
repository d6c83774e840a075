package io.docshift.migration;

import io.docshift.support.Api;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;

import static io.docshift.support.Management.management;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run ends: a statement PostgreSQL refuses for good fails the run naming its error, instead of being retried
 * every poll for ever; a transient failure (a serialization failure) is retried after a backoff, counted, and
 * the run completes. Both failures are injected by a trigger on the run's table.
 */
@QuarkusTest
class RunSqlFailureTest {

    @Test
    void aPermanentSqlErrorFailsTheRunNamingIt() throws Exception {
        String t = TestDb.freshTable("refused");
        Api.insert(t, "{\"n\":0}");
        TestDb.bulkLoad(t, 500, "jsonb_build_object('n', g)");
        trigger(t, "raise exception 'no updates here' using errcode = '0A000'; return new;");
        String m = "refusedUpdate_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"new\"}]}");

        JsonPath failed = Runs.awaitEnd(Runs.start(m, "{}"), Duration.ofMinutes(1));
        assertEquals("failed", failed.getString("state"), failed.prettify());
        assertTrue(failed.getString("error.message").contains("SQLSTATE 0A000") && failed.getString("error.message").contains("no updates here"),
                failed.prettify());
        assertEquals(0, failed.getLong("processed"), "nothing was committed");
    }

    @Test
    void aTransientSqlErrorIsRetriedAfterABackoffAndCounted() throws Exception {
        String t = TestDb.freshTable("contended");
        Api.insert(t, "{\"n\":0}");
        TestDb.bulkLoad(t, 500, "jsonb_build_object('n', g)");
        String failures = TestDb.physical(t) + "_failures";
        try (Connection c = TestDb.connect()) {
            c.createStatement().execute("create sequence " + failures);
        }
        // the first three statements that update the table fail as a serialization failure would
        trigger(t, "if nextval('" + failures + "') <= 3 then raise exception 'could not serialize access' using errcode = '40001'; end if; return new;");
        String m = "contendedUpdate_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"new\"}]}");

        JsonPath done = Runs.awaitEnd(Runs.start(m, "{}"), Duration.ofMinutes(1));
        assertEquals("completed", done.getString("state"), done.prettify());
        assertEquals(501, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->>'status' = 'new'"));
        management().get("/q/metrics").then().statusCode(200)
                .body(containsString("docshift_migration_batch_retries_total{migration=\"" + m + "\",sqlstate=\"40001\"} 3.0"));
    }

    /** A row trigger on the table's updates, with {@code body} as its PL/pgSQL. */
    private static void trigger(String table, String body) throws Exception {
        String physical = TestDb.physical(table);
        try (Connection c = TestDb.connect()) {
            c.createStatement().execute("create function " + physical + "_guard() returns trigger language plpgsql as $$ begin " + body + " end $$");
            c.createStatement().execute("create trigger guard before update on " + physical + " for each row execute function " + physical + "_guard()");
        }
    }
}
