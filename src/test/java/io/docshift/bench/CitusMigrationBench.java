package io.docshift.bench;

import io.docshift.support.AppProcess;
import io.docshift.support.CitusCluster;
import io.docshift.support.Database;
import io.docshift.support.PgServer;
import io.docshift.support.Tools;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One declarative migration (a field set on every document) in documents per second, in one run, on three
 * databases of the benchmark's own: a plain PostgreSQL, Citus with one worker and Citus with two, each server
 * with the same settings on this machine. Here every server shares the same cores, so the figures measure what
 * distribution costs, not what more hosts bring. Only in {@code -Pbench}.
 */
class CitusMigrationBench {

    static final int DOCUMENTS = Integer.getInteger("bench.citus.documents", 100_000);

    @RegisterExtension
    static final ExecutionCondition TOOLS = Tools.check("CitusMigrationBench", CitusCluster.CITUS);

    @Test
    void migrationThroughputOnPlainPostgresAndCitusWithOneAndTwoWorkers() throws Exception {
        double plain;
        try (PgServer server = PgServer.start("bench-plain")) {
            plain = migrate(server.jdbcUrl(), false);
        }
        BenchReport.record("citus", "plain PostgreSQL", plain, "docs/s", DOCUMENTS + " documents, set on each", true);
        for (int workers = 1; workers <= 2; workers++) {
            double rate;
            try (CitusCluster cluster = CitusCluster.start("bench-citus" + workers, workers)) {
                rate = migrate(cluster.jdbcUrl(), true);
            }
            BenchReport.record("citus", "Citus, " + workers + " worker" + (workers == 1 ? "" : "s"), rate, "docs/s",
                    String.format(java.util.Locale.ROOT, "%.2fx plain PostgreSQL, same run, same cores", rate / plain), true);
        }
    }

    /** Starts a pod on the database, loads the documents, times one run from its start to its end; changed docs/s. */
    private static double migrate(String jdbcUrl, boolean citus) throws Exception {
        Map<String, String> props = new HashMap<>(Map.of("quarkus.datasource.jdbc.url", jdbcUrl, "docshift.migrations.poll", "200ms"));
        if (citus) {
            props.put("docshift.storage.distribution", "citus");
        }
        try (AppProcess pod = AppProcess.start(citus ? "bench-citus" : "bench-plain", props).awaitReady(Duration.ofSeconds(120))) {
            String api = pod.baseUri();
            given().baseUri(api).contentType(ContentType.JSON).body("{\"name\":\"Customer 0\"}").post("/api/tables/bench_customers/documents")
                    .then().statusCode(201);
            Database db = new Database(jdbcUrl + "?user=postgres");
            db.bulkLoad("bench_customers", DOCUMENTS - 1, "jsonb_build_object('name', 'Customer ' || g)");
            try (var c = db.connect()) {
                c.createStatement().execute("vacuum analyze " + db.physical("bench_customers"));
            }
            given().baseUri(api).contentType(ContentType.JSON)
                    .body("{\"table\":\"bench_customers\",\"steps\":[{\"op\":\"set\",\"field\":\"tier\",\"value\":\"gold\"}]}")
                    .put("/api/migrations/bench_tier").then().statusCode(201);
            long t0 = System.nanoTime();
            long run = given().baseUri(api).contentType(ContentType.JSON).body("{}").post("/api/migrations/bench_tier/runs")
                    .then().statusCode(202).extract().jsonPath().getLong("runId");
            JsonPath done;
            do {
                done = given().baseUri(api).get("/api/migrations/runs/" + run).then().statusCode(200).extract().jsonPath();
                if (!java.util.Set.of("completed", "failed", "cancelled").contains(done.getString("state"))) {
                    Thread.sleep(50);
                }
            } while (!java.util.Set.of("completed", "failed", "cancelled").contains(done.getString("state")));
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals("completed", done.getString("state"), done.prettify());
            assertEquals(DOCUMENTS, done.getLong("changed"));
            return DOCUMENTS / seconds;
        }
    }
}
