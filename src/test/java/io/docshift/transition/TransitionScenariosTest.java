package io.docshift.transition;

import com.fasterxml.jackson.databind.JsonNode;
import io.docshift.support.LoadClient;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.function.IntFunction;
import java.util.function.Predicate;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The seed's five schema changes, each done as one declarative transition on 50,000 documents while a client
 * keeps reading, inserting and patching: no request may fail, reads return the new shape as soon as the
 * transition starts, every document ends valid under the new schema, and no acknowledged write is lost.
 */
@QuarkusTest
class TransitionScenariosTest {

    @org.junit.jupiter.api.AfterEach
    void closeLeftoverTransition() {
        Transitions.forceClose();
    }

    static final int DOCUMENTS = 50_000;
    @io.quarkus.test.common.http.TestHTTPResource("/")
    java.net.URI base;

    /** One scenario: schemas before and after, the migration, the client's documents and what reads must show. */
    record Scenario(String table, String before, String after, String migrationName, String migration,
                    String bulkBody, IntFunction<String> oldDoc, IntFunction<String> newDoc, Predicate<JsonNode> newShape, String endCheckSql) {
    }

    @Test
    @DisplayName("1. optional status made required, backfilled with setDefault")
    void optionalToRequired() throws Exception {
        String t = TestDb.freshTable("customers");
        run(new Scenario(t,
                table(t, "\"name\":{\"type\":\"string\"},\"status\":{\"type\":\"string\",\"optional\":true},\"visits\":{\"type\":\"number\",\"optional\":true}"),
                table(t, "\"name\":{\"type\":\"string\"},\"status\":{\"type\":\"string\"},\"visits\":{\"type\":\"number\",\"optional\":true}"),
                "backfillStatus_" + t, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"active\"}]}",
                "case when g % 2 = 0 then jsonb_build_object('name', 'c' || g, 'status', 'vip') else jsonb_build_object('name', 'c' || g) end",
                n -> "{\"name\":\"old" + n + "\"}", n -> "{\"name\":\"new" + n + "\",\"status\":\"trial\"}",
                d -> d.path("status").isTextual(),
                "select count(*) from %s where not data ? 'status'"));
        long active = TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->>'status' = 'active'");
        assertTrue(active >= DOCUMENTS / 2, "the documents without status got the default: " + active);
    }

    @Test
    @DisplayName("2. name renamed to fullName; reads return fullName from the start")
    void rename() throws Exception {
        String t = TestDb.freshTable("customers");
        run(new Scenario(t,
                table(t, "\"name\":{\"type\":\"string\"},\"visits\":{\"type\":\"number\",\"optional\":true}"),
                table(t, "\"fullName\":{\"type\":\"string\"},\"visits\":{\"type\":\"number\",\"optional\":true}"),
                "renameName_" + t, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"rename\",\"from\":\"name\",\"to\":\"fullName\"}]}",
                "jsonb_build_object('name', 'c' || g)",
                n -> "{\"name\":\"old" + n + "\"}", n -> "{\"fullName\":\"new" + n + "\"}",
                d -> d.path("fullName").isTextual() && !d.has("name"),
                "select count(*) from %s where data ? 'name' or not data ? 'fullName'"));
        // after the sweep reached every document, a patch written for the old shape still works
        String swept = TestDb.sampleIds(t, 1).get(0);
        given().contentType(ContentType.JSON).body("{\"name\":\"Patched Old\"}").patch("/api/tables/" + t + "/documents/" + swept)
                .then().statusCode(200).body("fullName", org.hamcrest.Matchers.equalTo("Patched Old")).body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("name")));
    }

    @Test
    @DisplayName("3. legacyField removed, with its cleanup")
    void removeField() throws Exception {
        String t = TestDb.freshTable("customers");
        run(new Scenario(t,
                table(t, "\"name\":{\"type\":\"string\"},\"legacyField\":{\"type\":\"string\"},\"visits\":{\"type\":\"number\",\"optional\":true}"),
                table(t, "\"name\":{\"type\":\"string\"},\"visits\":{\"type\":\"number\",\"optional\":true}"),
                "cleanupLegacy_" + t, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"unset\",\"field\":\"legacyField\"}]}",
                "jsonb_build_object('name', 'c' || g, 'legacyField', 'x' || g)",
                n -> "{\"name\":\"old" + n + "\",\"legacyField\":\"l\"}", n -> "{\"name\":\"new" + n + "\"}",
                d -> !d.has("legacyField"),
                "select count(*) from %s where data ? 'legacyField'"));
    }

    @Test
    @DisplayName("4. name split into firstName and lastName")
    void split() throws Exception {
        String t = TestDb.freshTable("users");
        run(new Scenario(t,
                table(t, "\"name\":{\"type\":\"string\"},\"visits\":{\"type\":\"number\",\"optional\":true}"),
                table(t, "\"firstName\":{\"type\":\"string\"},\"lastName\":{\"type\":\"string\"},\"visits\":{\"type\":\"number\",\"optional\":true}"),
                "splitName_" + t, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"split\",\"field\":\"name\",\"separator\":\" \",\"into\":[\"firstName\",\"lastName\"]},"
                        + "{\"op\":\"unset\",\"field\":\"name\"}]}",
                "jsonb_build_object('name', 'Ada' || g || ' King Lovelace')",
                n -> "{\"name\":\"Grace" + n + " Hopper\"}", n -> "{\"firstName\":\"Alan" + n + "\",\"lastName\":\"Turing\"}",
                d -> d.path("firstName").isTextual() && d.path("lastName").isTextual() && !d.has("name"),
                "select count(*) from %s where data ? 'name' or not data ? 'firstName' or not data ? 'lastName'"));
        assertEquals(DOCUMENTS, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->>'lastName' = 'King Lovelace'"),
                "the last target takes the rest, joined");
        String swept = TestDb.sampleIds(t, 1).get(0);
        given().contentType(ContentType.JSON).body("{\"name\":\"Ada Byron\"}").patch("/api/tables/" + t + "/documents/" + swept)
                .then().statusCode(200).body("firstName", org.hamcrest.Matchers.equalTo("Ada")).body("lastName", org.hamcrest.Matchers.equalTo("Byron"));
    }

    @Test
    @DisplayName("5. projectCount added to customers, denormalized from projects")
    void denormalize() throws Exception {
        String t = TestDb.freshTable("customers");
        String projects = TestDb.freshTable("projects");
        String projectsTable = "\"" + projects + "\":{\"document\":{\"customerId\":{\"type\":\"string\"}},"
                + "\"indexes\":[{\"name\":\"by_customer\",\"fields\":[\"customerId\"]}]}";
        String before = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"visits\":{\"type\":\"number\",\"optional\":true}}},"
                + projectsTable + "}}";
        String after = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"projectCount\":{\"type\":\"number\"},"
                + "\"visits\":{\"type\":\"number\",\"optional\":true}}}," + projectsTable + "}}";
        Runnable loadProjects = () -> {
            // two projects for every tenth customer
            String p = TestDb.physical(projects);
            String number = p.substring(p.lastIndexOf('_') + 1);
            try (Connection c = TestDb.connect()) {
                c.createStatement().execute("insert into " + p + " (id, creation_time, schema_version, revision, data)"
                        + " select (lpad(to_hex((m.ms << 16) | " + number + "), 16, '0') || lpad(to_hex(c.rn * 2 + k), 16, '0'))::uuid, m.ms, 0,"
                        + " nextval('docshift.write_seq'), jsonb_build_object('customerId', docshift.id_text(c.id))"
                        + " from (select id, row_number() over (order by id) as rn from " + TestDb.physical(t) + ") c, generate_series(0, 1) k,"
                        + " (select (extract(epoch from clock_timestamp()) * 1000)::bigint as ms) m where c.rn % 10 = 0");
                c.createStatement().execute("analyze " + p);
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        };
        run(new Scenario(t, before, after,
                "countProjects_" + t, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"countRelated\",\"field\":\"projectCount\",\"table\":\"" + projects
                        + "\",\"foreignKey\":\"customerId\"}]}",
                "jsonb_build_object('name', 'c' || g)",
                n -> "{\"name\":\"old" + n + "\"}", n -> "{\"name\":\"new" + n + "\",\"projectCount\":0}",
                d -> d.path("projectCount").isNumber(),
                "select count(*) from %s where not data ? 'projectCount'"), loadProjects);
        assertEquals(DOCUMENTS / 10, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->'projectCount' = '2'"),
                "every tenth customer has its two projects counted");
    }

    private static String table(String t, String fields) {
        return "{\"tables\":{\"" + t + "\":{\"document\":{" + fields + "}}}}";
    }

    private static String withMigrations(String schema, String migration) {
        return schema.substring(0, schema.length() - 1) + ",\"migrations\":[\"" + migration + "\"]}";
    }

    static void push(String schema, int status) {
        given().contentType(ContentType.JSON).body(schema).put("/api/schema").then().statusCode(status);
    }

    private void run(Scenario s) throws Exception {
        run(s, () -> { });
    }

    private void run(Scenario s, Runnable moreData) throws Exception {
        push(s.before(), 200);
        TestDb.bulkLoad(s.table(), DOCUMENTS, s.bulkBody());
        moreData.run();
        Runs.define(s.migrationName(), s.migration());
        String physical = TestDb.physical(s.table());
        try (LoadClient client = new LoadClient(List.of(base.toString().replaceAll("/$", "")), s.table(), TestDb.sampleIds(s.table(), 500), s.oldDoc()).start(2)) {
            awaitRequests(client, 200);
            JsonPath started = given().contentType(ContentType.JSON).body(withMigrations(s.after(), s.migrationName())).put("/api/schema")
                    .then().log().ifValidationFails().statusCode(202).extract().jsonPath();
            client.expectShape(s.newShape(), s.newDoc());
            assertEquals("migrating", started.getString("transition.state"));
            int target = started.getInt("version");
            JsonPath done = awaitTransition(Duration.ofMinutes(3));
            assertEquals("active", done.getString("state"), done.prettify());
            assertEquals(target, done.getInt("toVersion"));
            long sinceDone = client.requests();
            awaitRequests(client, sinceDone + 100);
            client.close();
            assertEquals(List.of(), client.failures(), "no client request failed");
            assertEquals(List.of(), client.shapeViolations(), "every read after the push returned the new shape");
            assertTrue(client.inserted().size() > 10, "the client kept inserting: " + client.inserted().size());
            assertEquals(target, (int) given().get("/api/schema").then().statusCode(200).extract().path("version"));
            assertEquals(0, TestDb.scalar("select count(*) from " + physical + " where schema_version <> " + target),
                    "every document is at the new version");
            assertEquals(0, TestDb.scalar(String.format(s.endCheckSql(), physical)), "every document has the new shape");
            given().contentType(ContentType.JSON).body(s.after()).post("/api/schema/plan").then().statusCode(200)
                    .body("applicable", org.hamcrest.Matchers.equalTo(true));
            client.assertAcknowledgedWritesKept(physical);
        }
    }

    static void awaitRequests(LoadClient client, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (client.requests() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** Polls the transition until it is active, failed or rolled back. */
    static JsonPath awaitTransition(Duration timeout) throws InterruptedException {
        return awaitTransitionState(timeout, "active", "failed", "rolledBack");
    }

    static JsonPath awaitTransitionState(Duration timeout, String... states) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonPath t = null;
        while (System.nanoTime() < deadline) {
            t = given().get("/api/schema/transition").then().statusCode(200).extract().jsonPath();
            if (List.of(states).contains(t.getString("state"))) {
                return t;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the transition did not reach " + List.of(states) + " in " + timeout + ": " + (t == null ? "" : t.prettify()));
    }

}
