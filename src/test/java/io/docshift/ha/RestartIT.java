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
            String load = Outages.loadTable(api, db, "restart_load");
            Outages.Migrated migrated = Outages.migrated(api, db, "restart_run", DOCUMENTS, 4000);

            try (LoadClient client = Outages.load(List.of(api), db, load)) {
                long run = Outages.startRun(api, migrated.migration());
                Outages.awaitRunProgress(api, run, DOCUMENTS / 5);
                long restartedAt = System.nanoTime();
                server.restartFast();
                double restartSeconds = (System.nanoTime() - restartedAt) / 1e9;
                JsonPath done = Outages.awaitRunEnd(List.of(api), run, Duration.ofMinutes(2));
                Outages.awaitFirstWriteAfter(client, System.nanoTime(), Duration.ofSeconds(60));
                Thread.sleep(1_000);
                client.close();
                double gap = client.longestWriteGap(restartedAt - 1_000_000_000L, System.nanoTime());

                assertEquals(List.of(), client.failures(), "no request failed (a 500, a 4xx, or no answer within a minute)");
                assertEquals(0, client.responses(500), "no 500 at any point");
                client.assertAcknowledgedWritesKept(db, db.physical(load));
                assertEquals("completed", done.getString("state"), done.prettify());
                assertEquals(DOCUMENTS, done.getLong("processed"));
                assertEquals(DOCUMENTS, done.getLong("changed"));
                assertEquals(DOCUMENTS, Outages.migratedOnce(db, migrated), "every document migrated exactly once");
                String line = String.format(Locale.ROOT, "restart: pg_ctl restart -m fast took %.1f s; the longest time without an acknowledged write %.2f s;"
                                + " %d answers 503 (each retried), %d requests in all, 0 acknowledged writes lost; the run completed",
                        restartSeconds, gap, client.responses(503), client.requests());
                Outages.figures(line);
            }
        }
    }
}
