package io.docshift.schema;

import io.docshift.support.AppProcess;
import io.docshift.support.TestDb;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Several packaged processes, each with its own pool, starting together with one bundled schema. */
class BundledSchemaIT {

    @Test
    void F9_threeProcessesStartingAtOnceApplyTheBundledSchemaExactlyOnceAndAnOlderBuildKeepsServingIt() throws Exception {
        String table = TestDb.freshTable("bundled");
        Path file = Files.createTempFile("schema", ".json");
        Files.writeString(file, "{\"tables\":{\"" + table + "\":{\"document\":{\"name\":{\"type\":\"string\"}}}}}");
        List<AppProcess> pods = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                pods.add(AppProcess.start("bundled-" + i, Map.of("docshift.schema.file", file.toString())));
            }
            for (AppProcess pod : pods) {
                pod.awaitReady(Duration.ofSeconds(60));
            }
            String hash = given().baseUri(pods.get(0).baseUri()).get("/api/schema").then().statusCode(200).extract().path("hash");
            assertEquals(1, versionsWithHash(hash), "exactly one version for the bundled content");
            int version = given().baseUri(pods.get(0).baseUri()).get("/api/schema").then().extract().path("version");
            for (AppProcess pod : pods) {
                given().baseUri(pod.baseUri()).get("/api/schema").then().body("version", equalTo(version));
                given().baseUri(pod.baseUri()).contentType(ContentType.JSON).body("{\"name\":1}")
                        .post("/api/tables/" + table + "/documents").then().statusCode(400);
            }

            // A newer schema pushed through one pod is enforced by every other pod at once.
            String newer = "{\"tables\":{\"" + table + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"email\":{\"type\":\"string\",\"optional\":true}}}}}";
            int v2 = given().baseUri(pods.get(0).baseUri()).contentType(ContentType.JSON).body(newer).put("/api/schema")
                    .then().statusCode(200).extract().path("version");
            given().baseUri(pods.get(2).baseUri()).contentType(ContentType.JSON).body("{\"name\":\"a\",\"email\":\"a@b.c\"}")
                    .post("/api/tables/" + table + "/documents").then().statusCode(201);

            // A pod still bundling the older file does not roll the schema back.
            try (AppProcess old = AppProcess.start("bundled-old", Map.of("docshift.schema.file", file.toString()))) {
                old.awaitReady(Duration.ofSeconds(60));
                given().baseUri(old.baseUri()).get("/api/schema").then().body("version", equalTo(v2));
                assertEquals(1, versionsWithHash(hash));
                assertTrue(old.logText().contains("older version than the active one"), "the old pod says why it did not apply its file");
            }
        } finally {
            for (AppProcess pod : pods) {
                pod.close();
            }
            Files.deleteIfExists(file);
        }
    }

    @Test
    void F11_aBadBundledFileAndAFailedRunDoNotStopAPodFromStartingAndServing() throws Exception {
        String table = TestDb.freshTable("f11");
        Path bad = Files.createTempFile("schema", ".json");
        Files.writeString(bad, "{\"tables\":{\"" + table + "\":{\"document\":{\"name\":{\"type\":\"strng\"}}}}}");
        try (Connection c = TestDb.connect()) {
            c.createStatement().execute("insert into docshift.migration (name, kind, definition, checksum) values ('f11broken_" + table
                    + "', 'declarative', '{\"table\":\"" + table + "\",\"steps\":[{\"op\":\"unset\",\"field\":\"a\"}]}', 'x')");
            c.createStatement().execute("insert into docshift.migration_run (migration, checksum, state, error_message, finished_at)"
                    + " values ('f11broken_" + table + "', 'x', 'failed', 'left failed by an earlier deployment', now())");
        }
        try (AppProcess pod = AppProcess.start("f11", Map.of("docshift.schema.file", bad.toString()))) {
            pod.awaitReady(Duration.ofSeconds(60));
            given().baseUri(pod.baseUri()).contentType(ContentType.JSON).body("{\"name\":\"a\"}").post("/api/tables/" + table + "/documents")
                    .then().statusCode(201);
            assertTrue(pod.logText().contains("was not applied"), "the pod says why it did not apply its file");
            assertEquals(200, pod.probe("/q/health/live"));
        } finally {
            Files.deleteIfExists(bad);
        }
    }

    private static int versionsWithHash(String hash) throws Exception {
        try (Connection c = TestDb.connect(); PreparedStatement p = c.prepareStatement("select count(*) from docshift.schema_version where hash = ?")) {
            p.setString(1, hash);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }
}
