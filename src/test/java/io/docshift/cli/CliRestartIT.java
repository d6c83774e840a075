package io.docshift.cli;

import io.docshift.support.AppProcess;
import io.docshift.support.Cli;
import io.docshift.support.Cli.Result;
import io.docshift.support.TestDb;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A watching command outlives a restart of the service: the packaged app is killed under {@code docshift run
 * --watch} and started again on the same port, as a restarted pod behind its address.
 */
class CliRestartIT {

    private static final Map<String, String> PROPERTIES = Map.of("docshift.migrations.poll", "1s");

    @Test
    void runWatchWaitsOutARestartAndFollowsTheRunToItsEnd() throws Exception {
        AppProcess first = AppProcess.start("cli-restart-1", PROPERTIES).awaitReady(Duration.ofSeconds(90));
        AppProcess second = null;
        try {
            String t = TestDb.freshTable("clirestart");
            given().baseUri(first.baseUri()).contentType(ContentType.JSON).body("{\"a\":0}").post("/api/tables/" + t + "/documents").then().statusCode(201);
            TestDb.bulkLoad(t, 59, "jsonb_build_object('a', g)");
            String m = "clirestart_" + t;
            // slow enough to be killed halfway: 60 documents at 10 a second
            given().baseUri(first.baseUri()).contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":10,"
                    + "\"steps\":[{\"op\":\"setDefault\",\"field\":\"b\",\"value\":1}]}").put("/api/migrations/" + m).then().statusCode(201);

            Cli.Running watch = new Cli(first.baseUri()).start("run", m, "--watch");
            watch.awaitOutput("/60", Duration.ofSeconds(30));
            first.kill();
            watch.awaitOutput("service unavailable (connection refused); waiting for it to come back…", Duration.ofSeconds(30));
            second = AppProcess.start("cli-restart-2", first.port(), PROPERTIES).awaitReady(Duration.ofSeconds(90));
            Result end = watch.finish();

            assertEquals(0, end.exit(), end.out() + end.err());
            assertTrue(end.out().contains("service is back after"), end.out());
            assertTrue(end.out().contains("60/60") && end.out().contains(" completed: 60 processed"), end.out());
            assertEquals(60, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data ? 'b'"));
        } finally {
            first.close();
            if (second != null) {
                second.close();
            }
        }
    }
}
