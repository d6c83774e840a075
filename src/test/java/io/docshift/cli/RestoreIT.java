package io.docshift.cli;

import io.docshift.support.AppProcess;
import io.docshift.support.Cli;
import io.docshift.support.Cli.Result;
import io.docshift.support.TestDb;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's "Back up data if critical", taken all the way back: a backup of tables whose schema names a
 * migration and types a reference as an id of another table is restored by {@code docshift import backup.zip
 * --schema} into a fresh database (its own service process), with the same ids, creation times and bodies, the
 * migration registered, and the schema active.
 */
class RestoreIT {

    @TempDir
    Path dir;

    @Test
    void aBackupRestoresIntoAFreshDatabase() throws Exception {
        String fresh = "docshift_restore_" + Long.toHexString(System.nanoTime());
        try (AppProcess source = AppProcess.start("restore-source", Map.of()).awaitReady(Duration.ofSeconds(90))) {
            // created users first, orgs second: a fresh database numbering tables alphabetically would swap them
            String users = TestDb.freshTable("users");
            String orgs = TestDb.freshTable("orgs");
            given().baseUri(source.baseUri()).contentType(ContentType.JSON).body("{\"name\":\"Ada Lovelace\"}").post("/api/tables/" + users + "/documents")
                    .then().statusCode(201);
            String org = given().baseUri(source.baseUri()).contentType(ContentType.JSON).body("{\"name\":\"Analytical Engines\"}")
                    .post("/api/tables/" + orgs + "/documents").then().statusCode(201).extract().path("_id");
            TestDb.bulkLoad(users, 999, "jsonb_build_object('name', 'User ' || g)");
            String split = "splitName_" + users;
            given().baseUri(source.baseUri()).contentType(ContentType.JSON).body("{\"table\":\"" + users + "\",\"steps\":[{\"op\":\"split\",\"field\":\"name\","
                    + "\"separator\":\" \",\"into\":[\"firstName\",\"lastName\"]},{\"op\":\"unset\",\"field\":\"name\"},"
                    + "{\"op\":\"setDefault\",\"field\":\"orgId\",\"value\":\"" + org + "\"}]}").put("/api/migrations/" + split).then().statusCode(201);
            String schema = "{\"tables\":{\"" + orgs + "\":{\"document\":{\"name\":{\"type\":\"string\"}}},\"" + users + "\":{\"document\":{"
                    + "\"firstName\":{\"type\":\"string\"},\"lastName\":{\"type\":\"string\"},\"orgId\":{\"type\":\"id\",\"table\":\"" + orgs + "\"}}}},"
                    + "\"migrations\":[\"" + split + "\"]}";
            given().baseUri(source.baseUri()).contentType(ContentType.JSON).body(schema).put("/api/schema").then().statusCode(202);
            awaitActive(source.baseUri());

            Path zip = dir.resolve("backup.zip");
            Result exported = new Cli(source.baseUri()).run("export", "--table", users, "--table", orgs, "--out", zip.toString());
            assertEquals(0, exported.exit(), exported.err());

            try (Connection c = TestDb.connectAdmin()) {
                c.createStatement().execute("create database " + fresh);
            }
            String freshUrl = TestDb.serverUrl(fresh);
            try (AppProcess target = AppProcess.start("restore-target", Map.of("quarkus.datasource.jdbc.url", freshUrl)).awaitReady(Duration.ofSeconds(90))) {
                Result restored = new Cli(target.baseUri()).run("import", zip.toString(), "--schema");
                assertEquals(0, restored.exit(), restored.out() + restored.err());
                assertTrue(restored.out().contains("migration " + split + ": registered") && restored.out().contains("imported 1,000 documents into " + users)
                        && restored.out().contains("imported 1 document into " + orgs), restored.out());
                for (String table : new String[]{users, orgs}) {
                    assertEquals(fingerprint(TestDb.URL, table), fingerprint(freshUrl + "?user=postgres", table), table + ": the same ids, creation times and bodies");
                }
                given().baseUri(target.baseUri()).get("/api/schema").then().statusCode(200).body("schema.migrations[0]", equalTo(split));
                given().baseUri(target.baseUri()).get("/api/migrations/" + split).then().statusCode(200);
                // the restored references still point at the restored org
                given().baseUri(target.baseUri()).contentType(ContentType.JSON).body("{\"firstName\":\"Grace\",\"lastName\":\"Hopper\",\"orgId\":\"" + org + "\"}")
                        .post("/api/tables/" + users + "/documents").then().statusCode(201);
            }
        } finally {
            try (Connection c = TestDb.connectAdmin()) {
                c.createStatement().execute("drop database if exists " + fresh + " with (force)");
            }
        }
    }

    private static void awaitActive(String baseUri) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (!"active".equals(given().baseUri(baseUri).get("/api/schema/transition").then().extract().path("state"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the transition did not become active: " + given().baseUri(baseUri).get("/api/schema/transition").asString());
            }
            Thread.sleep(100);
        }
    }

    private static String fingerprint(String url, String table) throws Exception {
        try (Connection c = DriverManager.getConnection(url); var p = c.prepareStatement("select number from docshift.doc_table where name = ?")) {
            p.setString(1, table);
            int number;
            try (ResultSet r = p.executeQuery()) {
                assertTrue(r.next(), "no table " + table + " at " + url);
                number = r.getInt(1);
            }
            try (ResultSet r = c.createStatement().executeQuery("select count(*) || ':' || md5(string_agg(docshift.id_text(id) || '/' || creation_time || '/'"
                    + " || data::text, ',' order by id)) from docshift_data.doc_" + number)) {
                r.next();
                return r.getString(1);
            }
        }
    }
}
