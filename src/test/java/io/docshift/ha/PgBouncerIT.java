package io.docshift.ha;

import io.docshift.support.AppProcess;
import io.docshift.support.PgBouncer;
import io.docshift.support.TestDb;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.docshift.support.Tools;
import io.docshift.support.Tools.Tool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Docshift behind a real PgBouncer. Session pooling keeps a client on one server connection, so everything
 * works: two processes serve documents, a migration run (session advisory locks) completes with exact counts,
 * and a push on one is heard by the other (LISTEN). Transaction pooling cannot keep session locks: a process
 * behind it says so, takes no run and refuses pushes (F2), and serves documents only when the driver makes no
 * named prepared statements ({@code prepareThreshold=0}).
 */
class PgBouncerIT {

    @RegisterExtension
    static final ExecutionCondition TOOLS = Tools.check("PgBouncerIT", new Tool("pgbouncer", "pgbouncer"));

    @Test
    void sessionPoolingRunsEverything() throws Exception {
        try (PgBouncer bouncer = PgBouncer.start("pgbouncer-session", "session");
             AppProcess a = AppProcess.start("bouncer-a", Map.of("quarkus.datasource.jdbc.url", bouncer.jdbcUrl(), "docshift.migrations.poll", "1s"));
             AppProcess b = AppProcess.start("bouncer-b", Map.of("quarkus.datasource.jdbc.url", bouncer.jdbcUrl(), "docshift.migrations.poll", "1s"))) {
            a.awaitReady(Duration.ofSeconds(120));
            b.awaitReady(Duration.ofSeconds(120));
            Outages.Migrated migrated = Outages.migrated(a.baseUri(), TestDb.SHARED, "bouncer", 20_000, 0);
            String t = migrated.table();
            String id = given().baseUri(a.baseUri()).get("/api/tables/" + t + "/documents?limit=1").then().statusCode(200).extract().path("page[0]._id");
            given().baseUri(b.baseUri()).get("/api/tables/" + t + "/documents/" + id).then().statusCode(200);
            long run = Outages.startRun(a.baseUri(), migrated.migration());
            JsonPath done = Outages.awaitRunEnd(List.of(a.baseUri(), b.baseUri()), run, Duration.ofMinutes(2));
            assertEquals("completed", done.getString("state"), done.prettify());
            assertEquals(20_000, done.getLong("processed"));
            assertEquals(20_000, Outages.migratedOnce(TestDb.SHARED, migrated));

            var current = given().baseUri(b.baseUri()).get("/api/schema"); // 404 while a fresh database has no schema yet
            int before = current.statusCode() == 404 ? 0 : current.then().statusCode(200).extract().<Integer>path("version");
            String schema = "{\"tables\":{\"" + t + "\":{\"document\":{\"v\":{\"type\":\"string\"},\"w\":{\"type\":\"string\"},\"orig\":{\"type\":\"string\"}}}}}";
            int version = given().baseUri(a.baseUri()).contentType(ContentType.JSON).body(schema).put("/api/schema").then().statusCode(200).extract().path("version");
            long pushed = System.nanoTime(); // the version is active when the push answers
            assertTrue(version > before);
            double heardMillis = (Outages.awaitVersion(b.baseUri(), version, Duration.ofSeconds(5)) - pushed) / 1e6;
            assertTrue(heardMillis <= 1000, "the other process heard the push after " + heardMillis + " ms");
            given().baseUri(b.managementUri()).get("/q/health/well").then().statusCode(200);
        }
    }

    @Test
    void transactionPoolingIsDetectedAndTheProcessTakesNoRun() throws Exception {
        try (PgBouncer bouncer = PgBouncer.start("pgbouncer-transaction", "transaction");
             // named server-side statements cannot survive transaction pooling either: the driver must not make them
             AppProcess pod = AppProcess.start("bouncer-tx", Map.of("quarkus.datasource.jdbc.url", bouncer.jdbcUrl() + "?prepareThreshold=0"))) {
            pod.awaitReady(Duration.ofSeconds(120));
            assertTrue(pod.logText().contains("transaction-pooling proxy"), "the process says why it takes no run");
            String t = TestDb.freshTable("bouncer_tx");
            given().baseUri(pod.baseUri()).contentType(ContentType.JSON).body("{\"a\":1}").post("/api/tables/" + t + "/documents").then().statusCode(201);
            given().baseUri(pod.baseUri()).contentType(ContentType.JSON).body("{\"tables\":{\"" + t + "\":{\"document\":{\"a\":{\"type\":\"number\"}}}}}")
                    .put("/api/schema").then().statusCode(409);
        }
    }
}
