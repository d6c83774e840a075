package io.docshift.transition;

import io.docshift.support.Api;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import static io.docshift.transition.TransitionScenariosTest.awaitTransitionState;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A transition that fails on one document and completes once it is fixed; rollbacks from backups, byte for byte. */
@QuarkusTest
class TransitionFailureAndRollbackTest {

    @AfterEach
    void closeLeftoverTransition() {
        Transitions.forceClose();
    }

    private static String ageSchema(String t, String type) {
        return "{\"tables\":{\"" + t + "\":{\"document\":{\"age\":{\"type\":\"" + type + "\"},\"visits\":{\"type\":\"number\",\"optional\":true}}}}}";
    }

    private static String withMigrations(String schema, String migration) {
        return schema.substring(0, schema.length() - 1) + ",\"migrations\":[\"" + migration + "\"]}";
    }

    @Test
    void failedMigrationNamesTheDocumentKeepsServingAndCompletesOnceFixed() throws Exception {
        String t = TestDb.freshTable("people");
        push(ageSchema(t, "string"));
        TestDb.bulkLoad(t, 2_000, "jsonb_build_object('age', (g % 90)::text)");
        String poisoned = Api.insert(t, "{\"age\":\"abc\"}");
        String good = Api.insert(t, "{\"age\":\"33\"}");
        String m = "ageToNumber_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":1000,\"steps\":[{\"op\":\"convert\",\"field\":\"age\",\"to\":\"number\"}]}");

        // the forecast sees the document the migration would fail on: refused, nothing opened
        Api.problem(given().contentType(ContentType.JSON).body(withMigrations(ageSchema(t, "number"), m)).put("/api/schema").then(), 422, "/" + t + "/" + poisoned)
                .body("tables[0].afterMigrations.failing", equalTo(1)).body("tables[0].afterMigrations.failures[0]._id", equalTo(poisoned))
                .body("tables[0].afterMigrations.failures[0].migration", equalTo(m));
        given().delete(Api.docs(t) + "/" + poisoned).then().statusCode(204);

        // the same document written behind the sweep's back (as an older build could) fails the run instead
        given().contentType(ContentType.JSON).body(withMigrations(ageSchema(t, "number"), m)).put("/api/schema").then().statusCode(202);
        TestDb.bulkLoad(t, 1, "jsonb_build_object('age', 'abc')");
        String bad = TestDb.idWhere(t, "data->>'age' = 'abc'");
        JsonPath failed = awaitTransitionState(Duration.ofMinutes(2), "failed", "active");
        assertEquals("failed", failed.getString("state"), failed.prettify());
        assertEquals(bad, failed.getString("error._id"), "the transition names the document that broke it");
        long runId = failed.getLong("error.runId");

        // still serving, as during migrating: reads upgrade, writes in either shape are accepted
        given().get(Api.docs(t) + "/" + good).then().statusCode(200).body("age", equalTo(33));
        given().get(Api.docs(t) + "/" + bad).then().statusCode(200).body("age", equalTo("abc"));
        String late = Api.insert(t, "{\"age\":\"7\"}");
        assertEquals("7", storedAge(t, late), "an old-shape write is stored upgraded");
        Api.problem(given().contentType(ContentType.JSON).body("{\"age\":true}").post(Api.docs(t)).then(), 400, "/age");

        // no backups: rollback is refused, saying why
        given().post("/api/schema/transition/rollback").then().statusCode(409).body("detail", containsString("no backups"));

        // fix the document (a patch in the old shape is upgraded on write), resume the run: the transition completes
        given().contentType(ContentType.JSON).body("{\"age\":\"42\"}").patch(Api.docs(t) + "/" + bad).then().statusCode(200).body("age", equalTo(42));
        given().post("/api/migrations/runs/" + runId + "/resume").then().statusCode(200);
        awaitTransitionState(Duration.ofMinutes(2), "active");
        assertEquals(0, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where jsonb_typeof(data->'age') <> 'number'"));
    }

    private static String storedAge(String table, String id) {
        try (Connection c = TestDb.connect();
             ResultSet r = c.createStatement().executeQuery("select data->'age' from " + TestDb.physical(table) + " where docshift.id_text(id) = '" + id + "'")) {
            r.next();
            return r.getString(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void rollbackOfATransitionRestoresEveryDocumentByteForByte() throws Exception {
        String t = TestDb.freshTable("customers");
        String v1 = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"optional\":true},"
                + "\"visits\":{\"type\":\"number\",\"optional\":true}}}}}";
        String v2 = v1.replace("\"name\"", "\"fullName\"");
        int active = push(v1);
        TestDb.bulkLoad(t, 5_000, "case when g % 3 = 0 then jsonb_build_object('name', 'Ünïcode ' || g, 'tags', jsonb_build_array('a', 'b' || g))"
                + " else jsonb_build_object('visits', g * 1.5, 'name', 'c' || g) end");
        Map<String, String> before = bodies(t);
        String m = "renameWithBackup_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"backup\":true,\"maxDocumentsPerSecond\":1500,"
                + "\"steps\":[{\"op\":\"rename\",\"from\":\"name\",\"to\":\"fullName\"}]}");

        given().contentType(ContentType.JSON).body(withMigrations(v2, m)).put("/api/schema").then().statusCode(202);
        long runId = given().get("/api/schema/transition").then().extract().jsonPath().getLong("migrations[0].runId");
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (Runs.get(runId).getLong("processed") < 1_000 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        // written in the new shape during the transition: no backup, brought back by the inverse step
        String fresh = Api.insert(t, "{\"fullName\":\"Written New\"}");
        given().get("/api/schema/transition").then().body("state", equalTo("migrating"));

        JsonPath rolling = given().post("/api/schema/transition/rollback").then().statusCode(202).extract().jsonPath();
        assertEquals("rollingBack", rolling.getString("state"));
        JsonPath done = awaitTransitionState(Duration.ofMinutes(2), "rolledBack");
        assertEquals(active, (int) given().get("/api/schema").then().extract().path("version"), "the previous version stays active");
        assertTrue(done.getLong("migrations[0].rollbackRunId") > 0);

        Map<String, String> after = bodies(t);
        assertEquals("{\"name\": \"Written New\"}", after.remove(fresh));
        assertEquals(before, after, "every document the sweep changed has its saved body back, byte for byte");
        // writes in the old shape are accepted again, the new shape is not
        Api.insert(t, "{\"name\":\"old again\"}");
        Api.problem(given().contentType(ContentType.JSON).body("{\"fullName\":\"x\"}").post(Api.docs(t)).then(), 400, "/name");
    }

    @Test
    void rollbackIsRefusedWhileDocumentsWrittenInTheNewShapeCannotGoBack() throws Exception {
        String t = TestDb.freshTable("people");
        push(ageSchema(t, "string"));
        TestDb.bulkLoad(t, 1_000, "jsonb_build_object('age', g::text)");
        String m = "ageWithBackup_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"backup\":true,\"maxDocumentsPerSecond\":200,"
                + "\"steps\":[{\"op\":\"convert\",\"field\":\"age\",\"to\":\"number\"}]}");
        given().contentType(ContentType.JSON).body(withMigrations(ageSchema(t, "number"), m)).put("/api/schema").then().statusCode(202);
        String newShape = Api.insert(t, "{\"age\":5}");

        given().post("/api/schema/transition/rollback").then().statusCode(409)
                .body("detail", containsString("1 document(s)")).body("violations[0].path", containsString(newShape));
        given().get("/api/schema/transition").then().body("state", equalTo("migrating"));

        given().delete(Api.docs(t) + "/" + newShape).then().statusCode(204);
        given().post("/api/schema/transition/rollback").then().statusCode(202);
        awaitTransitionState(Duration.ofMinutes(2), "rolledBack");
        assertEquals(0, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where jsonb_typeof(data->'age') <> 'string'"));
    }

    @Test
    void rollbackOfAPlainRunRestoresItsBackups() throws Exception {
        String t = TestDb.freshTable("orders");
        given().contentType(ContentType.JSON).body("[{\"n\":1},{\"n\":2,\"status\":\"paid\"},{\"n\":3}]").post(Api.docs(t) + "/batch").then().statusCode(201);
        Map<String, String> before = bodies(t);
        String m = "defaultStatus_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"backup\":true,\"steps\":[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"new\"}]}");
        long run = Runs.start(m, "{}");
        assertEquals("completed", Runs.awaitEnd(run, Duration.ofMinutes(1)).getString("state"));
        assertEquals(2, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->>'status' = 'new'"));

        long rollback = given().post("/api/migrations/runs/" + run + "/rollback").then().statusCode(202).extract().jsonPath().getLong("runId");
        assertEquals("completed", Runs.awaitEnd(rollback, Duration.ofMinutes(1)).getString("state"));
        assertEquals(before, bodies(t));
        given().post("/api/migrations/runs/" + run + "/rollback").then().statusCode(409).body("detail", containsString("already rolled back"));
        // rolled back, the migration is not done: it runs again without --rerun
        assertEquals("completed", Runs.awaitEnd(Runs.start(m, "{}"), Duration.ofMinutes(1)).getString("state"));
        assertEquals(2, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->>'status' = 'new'"));
        long again = TestDb.scalar("select max(id) from docshift.migration_run where migration = '" + m + "'");
        long undone = given().post("/api/migrations/runs/" + again + "/rollback").then().statusCode(202).extract().jsonPath().getLong("runId");
        assertEquals("completed", Runs.awaitEnd(undone, Duration.ofMinutes(1)).getString("state"));
        assertEquals(before, bodies(t));

        String plain = "defaultStatusNoBackup_" + t;
        Runs.define(plain, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"new\"}]}");
        long noBackup = Runs.start(plain, "{}");
        Runs.awaitEnd(noBackup, Duration.ofMinutes(1));
        given().post("/api/migrations/runs/" + noBackup + "/rollback").then().statusCode(409).body("detail", containsString("no backups"));
        given().post("/api/migrations/runs/999999999/rollback").then().statusCode(404);
    }

    private static int push(String schema) {
        return given().contentType(ContentType.JSON).body(schema).put("/api/schema").then().statusCode(200).extract().path("version");
    }

    /** Every body of a table exactly as PostgreSQL prints it, by id. */
    static Map<String, String> bodies(String table) throws Exception {
        Map<String, String> out = new HashMap<>();
        try (Connection c = TestDb.connect();
             ResultSet r = c.createStatement().executeQuery("select docshift.id_text(id), data::text from " + TestDb.physical(table))) {
            while (r.next()) {
                out.put(r.getString(1), r.getString(2));
            }
        }
        return out;
    }
}
