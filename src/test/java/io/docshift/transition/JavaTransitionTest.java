package io.docshift.transition;

import io.docshift.support.Api;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.docshift.transition.TransitionFailureAndRollbackTest.bodies;
import static io.docshift.transition.TransitionScenariosTest.awaitTransitionState;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Schema transitions driven by a Java migration ({@link SplitNameMigration}): upgrade on write through the
 * bean, a sweep that migrates each document exactly once while clients patch documents it is reading ahead,
 * a failure that names its document, resume, and a rollback from the Java migration's backups.
 */
@QuarkusTest
@TestProfile(JavaTransitionTest.SmallPlanSample.class)
class JavaTransitionTest {

    /** Plans give a Java migration 100 violating documents: the poisoned one, written last, is beyond the sample. */
    public static class SmallPlanSample implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("docshift.migrations.plan-sample", "100");
        }
    }

    private static final int DOCUMENTS = 30_000;

    @AfterEach
    void closeLeftoverTransition() {
        Transitions.forceClose();
    }

    private static String v1(String t) {
        return "{\"tables\":{\"" + t + "\":{\"document\":{\"fullName\":{\"type\":\"string\"},\"note\":{\"type\":\"string\",\"optional\":true}}}}}";
    }

    private static String v2(String t, String migration) {
        return "{\"tables\":{\"" + t + "\":{\"document\":{\"firstName\":{\"type\":\"string\"},\"lastName\":{\"type\":\"string\"},"
                + "\"trail\":{\"type\":\"string\"},\"note\":{\"type\":\"string\",\"optional\":true}}}},\"migrations\":[\"" + migration + "\"]}";
    }

    @Test
    void aJavaMigrationCarriesATransitionOncePerDocumentUnderClientWrites() throws Exception {
        String t = SplitNameMigration.Sweep.TABLE;
        emptyTable(t);
        push(v1(t), 200);
        TestDb.bulkLoad(t, DOCUMENTS, "jsonb_build_object('fullName', 'Ada ' || g || ' Lovelace')");
        String poison = Api.insert(t, "{\"fullName\":\"POISON\"}");
        List<String> sample = TestDb.sampleIds(t, 300);
        sample.remove(poison);

        // a client patches documents (in the new shape) while the sweep reads ahead of its writes
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger failures = new AtomicInteger();
        Thread client = new Thread(() -> {
            for (int i = 0; !stop.get(); i++) {
                String id = sample.get(i % sample.size());
                String note = "n" + i;
                int status = given().contentType(ContentType.JSON).body("{\"note\":\"" + note + "\"}").patch(Api.docs(t) + "/" + id).statusCode();
                if (status == 200) {
                    acknowledged.put(id, note);
                } else {
                    failures.incrementAndGet();
                }
            }
        });
        client.start();
        try {
            push(v2(t, "splitNameJava"), 202);
            // written in the old shape by a client that has not moved yet: upgraded through the bean on write
            String late = Api.insert(t, "{\"fullName\":\"Grace Hopper\"}");
            given().get(Api.docs(t) + "/" + late).then().statusCode(200)
                    .body("firstName", equalTo("Grace")).body("lastName", equalTo("Hopper")).body("trail", equalTo("j"));

            JsonPath failed = awaitTransitionState(Duration.ofMinutes(3), "failed", "active");
            assertEquals("failed", failed.getString("state"), failed.prettify());
            assertEquals(poison, failed.getString("error._id"), "the transition names the document the bean threw on");
            // the document the migration cannot upgrade is served as stored
            given().get(Api.docs(t) + "/" + poison).then().statusCode(200).body("fullName", equalTo("POISON"));
        } finally {
            stop.set(true);
            client.join();
        }
        assertEquals(0, failures.get(), "no client patch failed during the transition");
        assertTrue(acknowledged.size() > 50, "the client wrote during the sweep: " + acknowledged.size());

        // fix the document in the old shape (upgraded on write), resume: the transition completes
        given().contentType(ContentType.JSON).body("{\"fullName\":\"Fixed Name\"}").patch(Api.docs(t) + "/" + poison).then().statusCode(200)
                .body("firstName", equalTo("Fixed"));
        long runId = given().get("/api/schema/transition").then().extract().jsonPath().getLong("error.runId");
        given().post("/api/migrations/runs/" + runId + "/resume").then().statusCode(200);
        awaitTransitionState(Duration.ofMinutes(2), "active");

        String physical = TestDb.physical(t);
        assertEquals(DOCUMENTS + 2, TestDb.count(t));
        assertEquals(0, TestDb.scalar("select count(*) from " + physical + " where data ? 'fullName' or not data ? 'firstName'"
                + " or data->>'trail' <> 'j'"), "every document split exactly once");
        assertEquals(0, TestDb.scalar("select count(*) from " + physical + " where data->>'firstName' = 'Ada'"
                + " and data->>'lastName' not like '% Lovelace'"), "split as the bean does");
        for (Map.Entry<String, String> e : acknowledged.entrySet()) {
            given().get(Api.docs(t) + "/" + e.getKey()).then().statusCode(200).body("note", equalTo(e.getValue())).body("trail", equalTo("j"));
        }
    }

    @Test
    void aFailedJavaTransitionRollsBackFromItsBackupsByteForByte() throws Exception {
        String t = SplitNameMigration.RolledBack.TABLE;
        emptyTable(t);
        push(v1(t), 200);
        TestDb.bulkLoad(t, 5_000, "case when g % 4 = 0 then jsonb_build_object('fullName', 'Ünï ' || g, 'note', 'kept')"
                + " else jsonb_build_object('fullName', 'c' || g) end");
        String poison = Api.insert(t, "{\"fullName\":\"POISON\"}");
        Map<String, String> before = bodies(t);

        // the forecast of a Java migration is a sample, and says so: the poisoned document is past it
        given().contentType(ContentType.JSON).body(v2(t, "splitNameJavaRollback")).post("/api/schema/plan").then().statusCode(200)
                .body("violations[0].afterMigrations.sample", equalTo(true)).body("violations[0].afterMigrations.simulated", equalTo(100))
                .body("applicable", equalTo(true));
        push(v2(t, "splitNameJavaRollback"), 202);
        JsonPath failed = awaitTransitionState(Duration.ofMinutes(2), "failed", "active");
        assertEquals(poison, failed.getString("error._id"), failed.prettify());
        assertEquals(0, TestDb.scalar("select count(*) from docshift.migration_backup where run_id = " + failed.getLong("error.runId")
                + " and data ? 'firstName'"), "backups hold the old bodies");

        // a document written in the new shape has no backup, and a Java migration has no inverse: refused
        String fresh = Api.insert(t, "{\"firstName\":\"New\",\"lastName\":\"Shape\",\"trail\":\"x\"}");
        given().post("/api/schema/transition/rollback").then().statusCode(409)
                .body("detail", containsString("1 document(s)")).body("violations[0].path", containsString(fresh));
        given().delete(Api.docs(t) + "/" + fresh).then().statusCode(204);

        given().post("/api/schema/transition/rollback").then().statusCode(202);
        awaitTransitionState(Duration.ofMinutes(2), "rolledBack");
        assertEquals(before, bodies(t), "every document the sweep changed has its saved body back, byte for byte");
    }

    private static void push(String schema, int status) {
        TransitionScenariosTest.push(schema, status);
    }

    /**
     * The beans walk fixed tables: start each run of the test from an empty one, and from no history of the bean
     * (a completed run from an earlier test run in this database would make a push treat it as already applied).
     */
    private static void emptyTable(String t) throws SQLException {
        if (!TestDb.tableExists(t)) {
            Api.insert(t, "{\"fullName\":\"created\"}");
        }
        try (Connection c = TestDb.connect()) {
            c.createStatement().execute("delete from " + TestDb.physical(t));
            String runs = "(select id from docshift.migration_run where migration in ('splitNameJava', 'splitNameJavaRollback'))";
            c.createStatement().execute("delete from docshift.migration_backup where run_id in " + runs);
            c.createStatement().execute("delete from docshift.migration_run where rollback_of in " + runs);
            c.createStatement().execute("delete from docshift.migration_run where id in " + runs);
        }
    }
}
