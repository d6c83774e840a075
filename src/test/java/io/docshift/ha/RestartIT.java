package io.docshift.ha;

import io.docshift.support.AppProcess;
import io.docshift.support.Database;
import io.docshift.support.LoadClient;
import io.docshift.support.PgServer;
import io.docshift.support.TestDb;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The database restarts under load (a maintenance window): {@code pg_ctl restart -m fast} of a server the test
 * owns, while a client writes through Docshift and a migration runs. Every session ends at once; Docshift
 * answers 503 meanwhile (never 500), keeps every acknowledged write, and the run completes, each document once.
 */
class RestartIT {

    static final int DOCUMENTS = 40_000;

    @Test
    void aFastRestartUnderLoadCostsNoAcknowledgedWriteAndNo500() throws Exception {
        try (PgServer server = PgServer.start("restart");
             AppProcess pod = AppProcess.start("restart-0", Map.of("quarkus.datasource.jdbc.url", server.jdbcUrl(), "docshift.migrations.poll", "1s"))) {
            pod.awaitReady(Duration.ofSeconds(120));
            Database db = new Database(server.jdbcUrl() + "?user=postgres");
            String api = pod.baseUri();
            String load = TestDb.freshTable("restart_load");
            given().baseUri(api).contentType(ContentType.JSON).body("{\"visits\":0}").post("/api/tables/" + load + "/documents").then().statusCode(201);
            db.bulkLoad(load, 5_000, "jsonb_build_object('visits', 0, 'n', g)");
            String migrated = TestDb.freshTable("restart_run");
            given().baseUri(api).contentType(ContentType.JSON).body("{\"v\":\"orig0\",\"orig\":\"orig0\"}").post("/api/tables/" + migrated + "/documents").then().statusCode(201);
            db.bulkLoad(migrated, DOCUMENTS - 1, "jsonb_build_object('v', 'orig' || g, 'orig', 'orig' || g)");
            String m = "restart_" + migrated;
            given().baseUri(api).contentType(ContentType.JSON).body("{\"table\":\"" + migrated + "\",\"maxDocumentsPerSecond\":4000,\"steps\":["
                    + "{\"op\":\"rename\",\"from\":\"v\",\"to\":\"w\"},{\"op\":\"set\",\"field\":\"v\",\"value\":\"second\"}]}")
                    .put("/api/migrations/" + m).then().statusCode(201);

            try (LoadClient client = new LoadClient(List.of(api), load, db.sampleIds(load, 500), n -> "{\"visits\":0,\"n\":" + n + "}").start(4)) {
                long run = given().baseUri(api).contentType(ContentType.JSON).body("{}").post("/api/migrations/" + m + "/runs")
                        .then().statusCode(202).extract().jsonPath().getLong("runId");
                FailoverIT.awaitRunProgress(api, run, DOCUMENTS / 5);
                long restartedAt = System.nanoTime();
                server.restartFast();
                double restartSeconds = (System.nanoTime() - restartedAt) / 1e9;
                JsonPath done = FailoverIT.awaitRunEnd(List.of(api), run, Duration.ofMinutes(2));
                FailoverIT.awaitFirstWriteAfter(client, System.nanoTime(), Duration.ofSeconds(60));
                Thread.sleep(1_000);
                client.close();
                double gap = client.longestWriteGap(restartedAt - 1_000_000_000L, System.nanoTime());

                assertEquals(List.of(), client.failures(), "no request failed (a 500, a 4xx, or no answer within a minute)");
                assertEquals(0, client.responses(500), "no 500 at any point");
                client.assertAcknowledgedWritesKept(db, db.physical(load));
                assertEquals("completed", done.getString("state"), done.prettify());
                assertEquals(DOCUMENTS, done.getLong("processed"));
                assertEquals(DOCUMENTS, done.getLong("changed"));
                assertEquals(DOCUMENTS, db.scalar("select count(*) from " + db.physical(migrated) + " where data->'w' = data->'orig' and data->>'v' = 'second'"),
                        "every document migrated exactly once");
                String line = String.format(Locale.ROOT, "restart: pg_ctl restart -m fast took %.1f s; the longest time without an acknowledged write %.2f s;"
                                + " %d answers 503 (each retried), %d requests in all, 0 acknowledged writes lost; the run completed",
                        restartSeconds, gap, client.responses(503), client.requests());
                System.out.println(line);
                java.nio.file.Files.writeString(FailoverIT.FIGURES, line + System.lineSeparator(),
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            }
        }
    }
}
