package io.docshift.transition;

import io.docshift.support.Api;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.docshift.transition.TransitionFailureAndRollbackTest.bodies;
import static io.docshift.transition.TransitionScenariosTest.awaitTransitionState;
import static io.docshift.support.Management.management;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A series of migrations on one table in one transition (Convex's runSerially), under live traffic, and the
 * rollback of a transition after it activated its target: while its backups are kept, the previous version
 * comes back with every document in its previous shape.
 */
@QuarkusTest
class TransitionSeriesAndRollbackTest {

    @AfterEach
    void closeLeftoverTransition() {
        Transitions.forceClose();
    }

    private static int push(String schema) {
        return given().contentType(ContentType.JSON).body(schema).put("/api/schema").then().statusCode(200).extract().path("version");
    }

    @Test
    void aSeriesRunsInOrderUnderLiveTrafficCountingChangedApartFromStamped() throws Exception {
        String t = TestDb.freshTable("customers");
        push("{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\",\"optional\":true},\"fullName\":{\"type\":\"string\",\"optional\":true},"
                + "\"status\":{\"type\":\"string\",\"optional\":true}}}}}");
        // three in four are in the old shape; the fourth is in the new shape already, so the sweep only stamps it
        TestDb.bulkLoad(t, 20_000, "case when g % 4 = 0 then jsonb_build_object('fullName', 'f' || g, 'status', 'vip')"
                + " else jsonb_build_object('name', 'n' || g) end");
        String first = "renameName_" + t;
        String second = "defaultStatus_" + t;
        Runs.define(first, "{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":4000,\"steps\":[{\"op\":\"rename\",\"from\":\"name\",\"to\":\"fullName\"}]}");
        Runs.define(second, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"new\"}]}");
        String v2 = "{\"tables\":{\"" + t + "\":{\"document\":{\"fullName\":{\"type\":\"string\"},\"status\":{\"type\":\"string\"}}}},"
                + "\"migrations\":[\"" + first + "\",\"" + second + "\"]}";

        given().contentType(ContentType.JSON).body(v2).put("/api/schema").then().statusCode(202);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<String> oldShape = new ArrayList<>();
        List<String> newShape = new ArrayList<>();
        Future<?> writer = pool.submit(() -> {
            for (int i = 0; !stop.get(); i++) {
                // clients that have not moved yet, and clients that have
                oldShape.add(Api.insert(t, "{\"name\":\"old " + i + "\"}"));
                newShape.add(Api.insert(t, "{\"fullName\":\"new " + i + "\",\"status\":\"vip\"}"));
            }
            return null;
        });
        JsonPath open = given().get("/api/schema/transition").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(first, second), open.getList("migrations[0].series"), open.prettify());
        assertEquals(1, open.getList("migrations").size(), "one sweep per table, applying the series in order");
        JsonPath done = awaitTransitionState(Duration.ofMinutes(3), "active", "failed");
        stop.set(true);
        writer.get();
        pool.shutdown();
        assertEquals("active", done.getString("state"), done.prettify());
        assertTrue(oldShape.size() > 5, "writes went on during the sweep: " + oldShape.size());

        assertEquals(0, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data ? 'name' or not data ? 'fullName' or not data ? 'status'"));
        assertEquals(15_000 + oldShape.size(), TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->>'status' = 'new'"),
                "every old-shape document, swept or written during the sweep, went through both migrations in order");
        given().get(Api.docs(t) + "/" + oldShape.get(0)).then().statusCode(200).body("fullName", equalTo("old 0")).body("status", equalTo("new"));
        given().get(Api.docs(t) + "/" + newShape.get(0)).then().statusCode(200).body("status", equalTo("vip"));

        JsonPath run = Runs.get(done.getLong("migrations[0].runId"));
        assertEquals(15_000, run.getLong("changed"), run.prettify());
        assertEquals(5_000, run.getLong("stamped"), "documents already in the new shape are only stamped with the version");
        assertTrue(run.getLong("processed") >= 20_000, "processed counts every document the sweep passed, written-during ones included");
        assertEquals(List.of(first, second), run.getList("series"));
        String metrics = management().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("docshift_migration_documents_stamped_total"), "stamped documents are a metric of their own");
    }

    @Test
    void aFailingMemberStopsTheSeriesNamingItsDocument() throws Exception {
        String t = TestDb.freshTable("people");
        push("{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":\"string\"}}}}}");
        TestDb.bulkLoad(t, 500, "jsonb_build_object('name', 'n' || g, 'age', g::text)");
        String poisoned = Api.insert(t, "{\"name\":\"x\",\"age\":\"abc\"}");
        String rename = "renameToFull_" + t;
        String convert = "ageToNumber_" + t;
        Runs.define(rename, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"rename\",\"from\":\"name\",\"to\":\"fullName\"}]}");
        Runs.define(convert, "{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":250,\"steps\":[{\"op\":\"convert\",\"field\":\"age\",\"to\":\"number\"}]}");
        String target = "{\"tables\":{\"" + t + "\":{\"document\":{\"fullName\":{\"type\":\"string\"},\"age\":{\"type\":\"number\"}}}},"
                + "\"migrations\":[\"" + rename + "\",\"" + convert + "\"]}";
        // the forecast names the member that would fail and its document
        Api.problem(given().contentType(ContentType.JSON).body(target).put("/api/schema").then(), 422, null)
                .body("tables[0].afterMigrations.failures[0].migration", equalTo(convert)).body("tables[0].afterMigrations.failures[0]._id", equalTo(poisoned));
        given().delete(Api.docs(t) + "/" + poisoned).then().statusCode(204);

        given().contentType(ContentType.JSON).body(target).put("/api/schema").then().statusCode(202);
        TestDb.bulkLoad(t, 1, "jsonb_build_object('name', 'x', 'age', 'abc')");
        String bad = TestDb.idWhere(t, "data->>'age' = 'abc'");
        JsonPath failed = awaitTransitionState(Duration.ofMinutes(2), "failed", "active");
        assertEquals("failed", failed.getString("state"), failed.prettify());
        assertEquals(bad, failed.getString("error._id"), "the series stops at the document its second member cannot migrate");
        assertEquals(1, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where docshift.id_text(id) = '" + bad + "' and data ? 'name'"),
                "the failing document is left as it was: the series applies to each document as a whole");
    }

    @Test
    void aSeriesWithAJavaMigrationIsRefusedNamingIt() {
        String t = SplitNameMigration.Sweep.TABLE;
        String declarative = "touch_" + TestDb.freshTable("x");
        Runs.define(declarative, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"trail\",\"value\":\"\"}]}");
        Api.problem(given().contentType(ContentType.JSON).body("{\"tables\":{\"" + t + "\":{\"document\":{\"firstName\":{\"type\":\"string\"}}}},"
                + "\"migrations\":[\"" + declarative + "\",\"splitNameJava\"]}").put("/api/schema").then(), 400, "/migrations/1")
                .body("detail", containsString("declarative"));
    }

    @Test
    void rollbackAfterActivationBringsThePreviousVersionBackWithWritesInBothShapes() throws Exception {
        String t = TestDb.freshTable("customers");
        String v1 = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"visits\":{\"type\":\"number\",\"optional\":true}}}}}";
        int previous = push(v1);
        TestDb.bulkLoad(t, 3_000, "case when g % 2 = 0 then jsonb_build_object('name', 'Ünïcode ' || g, 'visits', g * 1.5)"
                + " else jsonb_build_object('name', 'c' || g) end");
        Map<String, String> before = bodies(t);
        String m = "renameKept_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"backup\":true,\"steps\":[{\"op\":\"rename\",\"from\":\"name\",\"to\":\"fullName\"}]}");
        given().contentType(ContentType.JSON).body(v1.replace("\"name\"", "\"fullName\"").replace("}}}}}", "}}}},\"migrations\":[\"" + m + "\"]}"))
                .put("/api/schema").then().statusCode(202);
        JsonPath active = awaitTransitionState(Duration.ofMinutes(2), "active", "failed");
        assertEquals("active", active.getString("state"), active.prettify());
        int target = given().get("/api/schema").then().extract().path("version");

        // an hour of traffic after activation: new-shape writes, old-shape writes (upgraded on write), a patch of a swept document
        String fresh = Api.insert(t, "{\"fullName\":\"Written New\",\"visits\":1}");
        String late = Api.insert(t, "{\"name\":\"Written Old\"}");
        String patched = before.keySet().iterator().next();
        given().contentType(ContentType.JSON).body("{\"visits\":99}").patch(Api.docs(t) + "/" + patched).then().statusCode(200);
        String deleted = before.keySet().stream().skip(1).findFirst().orElseThrow();
        given().delete(Api.docs(t) + "/" + deleted).then().statusCode(204);

        JsonPath rolling = given().post("/api/schema/transition/rollback").then().statusCode(202).extract().jsonPath();
        assertEquals("rollingBack", rolling.getString("state"), rolling.prettify());
        assertEquals(previous, (int) given().get("/api/schema").then().extract().path("version"), "the previous version is active again at once");
        Api.problem(given().contentType(ContentType.JSON).body("{\"fullName\":\"too late\"}").post(Api.docs(t)).then(), 400, "/name");
        JsonPath done = awaitTransitionState(Duration.ofMinutes(2), "rolledBack");
        assertTrue(done.getLong("migrations[0].rollbackRunId") > 0);

        Map<String, String> after = bodies(t);
        assertEquals("{\"name\": \"Written New\", \"visits\": 1}", after.remove(fresh), "a new-shape write goes through the inverse step");
        assertEquals("{\"name\": \"Written Old\"}", after.remove(late));
        String patchedBody = after.remove(patched);
        assertTrue(patchedBody.contains("\"name\"") && patchedBody.contains("\"visits\": 99") && !patchedBody.contains("fullName"),
                "a document written since the sweep keeps that write, in the previous shape: " + patchedBody);
        before.remove(patched);
        before.remove(deleted);
        assertEquals(before, after, "every swept document untouched since has its saved body back, byte for byte");
        assertEquals(0, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where schema_version >= " + target),
                "no document is left stamped with the rolled-back version");
        Api.insert(t, "{\"name\":\"old again\"}");
        given().get("/api/schema").then().body("version", equalTo(previous));
        assertTrue(target > previous);
        given().post("/api/schema/transition/rollback").then().statusCode(409);
    }

    @Test
    void rollbackAfterActivationIsRefusedChangingNothingWhenADocumentCannotGoBack() throws Exception {
        String t = TestDb.freshTable("people");
        String v1 = "{\"tables\":{\"" + t + "\":{\"document\":{\"age\":{\"type\":\"string\"}}}}}";
        push(v1);
        TestDb.bulkLoad(t, 1_000, "jsonb_build_object('age', g::text)");
        String m = "ageKept_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"backup\":true,\"steps\":[{\"op\":\"convert\",\"field\":\"age\",\"to\":\"number\"}]}");
        given().contentType(ContentType.JSON).body("{\"tables\":{\"" + t + "\":{\"document\":{\"age\":{\"type\":\"number\"}}}},\"migrations\":[\"" + m + "\"]}")
                .put("/api/schema").then().statusCode(202);
        awaitTransitionState(Duration.ofMinutes(2), "active");
        int target = given().get("/api/schema").then().extract().path("version");
        // no step takes a number back to a string: this one cannot return to the previous version
        String newShape = Api.insert(t, "{\"age\":5}");
        Map<String, String> before = bodies(t);

        given().post("/api/schema/transition/rollback").then().statusCode(409)
                .body("detail", containsString("1 document(s)")).body("violations[0].path", containsString(newShape));
        given().get("/api/schema/transition").then().body("state", equalTo("active"));
        given().get("/api/schema").then().body("version", equalTo(target));
        assertEquals(before, bodies(t), "a refused rollback changes nothing");
        Api.insert(t, "{\"age\":6}");

        // once the version is trusted, its backups can go; then the transition cannot be rolled back any more
        long runId = given().get("/api/schema/transition").then().extract().jsonPath().getLong("migrations[0].runId");
        given().delete("/api/migrations/runs/" + runId + "/backups").then().statusCode(204);
        assertEquals(0, TestDb.scalar("select count(*) from docshift.migration_backup where run_id = " + runId));
        given().delete("/api/migrations/runs/" + runId + "/backups").then().statusCode(409).body("detail", containsString("dropped"));
        given().delete(Api.docs(t) + "/" + newShape).then().statusCode(204);
        given().post("/api/schema/transition/rollback").then().statusCode(409).body("detail", containsString("dropped"));
        given().post("/api/migrations/runs/" + runId + "/rollback").then().statusCode(409).body("detail", containsString("roll the transition back"));
    }
}
