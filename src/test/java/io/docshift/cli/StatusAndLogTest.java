package io.docshift.cli;

import io.docshift.support.Bulk;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code docshift status} and {@code docshift log}, run in this JVM against the service: rolled-back and partial runs say so. */
@QuarkusTest
class StatusAndLogTest {

    static final Duration WAIT = Duration.ofSeconds(60);

    @TestHTTPResource("/")
    URL url;

    @Test
    void statusAndLogShowARolledBackMigrationAndAPartialRun() throws Exception {
        String customers = TestDb.freshTable("customers");
        Bulk.insert(customers, 300, i -> "{\"name\":\"C" + i + "\"}");
        String undone = "denormalizeData_" + customers;
        Runs.define(undone, "{\"table\":\"" + customers + "\",\"backup\":true,\"steps\":[{\"op\":\"set\",\"field\":\"projectCount\",\"value\":0}]}");
        long run = Runs.start(undone, "{}");
        Runs.awaitEnd(run, WAIT);
        long rollback = given().post("/api/migrations/runs/" + run + "/rollback").then().statusCode(202).extract().jsonPath().getLong("runId");
        Runs.awaitEnd(rollback, WAIT);
        String partial = "tier_" + customers;
        Runs.define(partial, "{\"table\":\"" + customers + "\",\"steps\":[{\"op\":\"set\",\"field\":\"tier\",\"value\":\"gold\"}]}");
        long limited = Runs.start(partial, "{\"limit\": 100}");
        Runs.awaitEnd(limited, WAIT);

        String status = cli("status");
        assertTrue(line(status, undone).contains(" rolledBack "), status);
        assertTrue(line(status, partial).contains(" completed (limit 100) "), status);
        assertTrue(line(status, partial).contains(" 100/100 "), status);
        String log = cli("log");
        assertTrue(line(log, Long.toString(run), undone).contains(" rolledBack "), log);
        assertTrue(line(log, Long.toString(rollback), undone).contains(" completed "), log);
        assertTrue(line(log, Long.toString(limited), partial).contains(" completed (limit 100) "), log);
    }

    private String cli(String command) {
        PrintStream was = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            assertEquals(0, Docshift.execute(command, "--url", url.toString().replaceAll("/$", ""), "--no-color"));
        } finally {
            System.setOut(was);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The one line of a table with every one of {@code cells}, and a space at its end. */
    private static String line(String table, String... cells) {
        return table.lines().filter(l -> java.util.List.of(l.trim().split("\\s+")).containsAll(java.util.List.of(cells)))
                .findFirst().orElseThrow(() -> new AssertionError("no line with " + String.join(", ", cells) + " in\n" + table)) + " ";
    }
}
