package io.docshift.schema;

import io.docshift.support.Bulk;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;

import static io.docshift.support.Api.docs;
import static io.docshift.support.Api.insert;
import static io.docshift.support.Api.problem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The seed's schema scenarios against the real PostgreSQL. */
@QuarkusTest
class SchemaResourceTest {

    static ValidatableResponse push(String schema) {
        return given().contentType(ContentType.JSON).body(schema).put("/api/schema").then();
    }

    static ValidatableResponse plan(String schema) {
        return given().contentType(ContentType.JSON).body(schema).post("/api/schema/plan").then();
    }

    static int activeVersion() {
        return given().get("/api/schema").then().statusCode(200).extract().path("version");
    }

    static String customers(String table, String extraFields) {
        return "{\"tables\":{\"" + table + "\":{\"document\":{\"orgId\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"}"
                + extraFields + "}}}}";
    }

    @Test
    void addingATableIsSafeAndItsWritesAreValidated() {
        String customers = TestDb.freshTable("customers");
        String projects = TestDb.freshTable("projects");
        String schema = "{\"tables\":{"
                + "\"" + customers + "\":{\"document\":{\"orgId\":{\"type\":\"string\"},\"name\":{\"type\":\"string\"}}},"
                + "\"" + projects + "\":{\"document\":{"
                + "\"customerId\":{\"type\":\"id\",\"table\":\"" + customers + "\"},"
                + "\"name\":{\"type\":\"string\"},"
                + "\"status\":{\"type\":\"union\",\"members\":[{\"type\":\"literal\",\"value\":\"active\"},{\"type\":\"literal\",\"value\":\"completed\"}]},"
                + "\"startDate\":{\"type\":\"number\"},\"endDate\":{\"type\":\"number\",\"optional\":true}},"
                + "\"indexes\":[{\"name\":\"by_customer\",\"fields\":[\"customerId\"]},{\"name\":\"by_customer_status\",\"fields\":[\"customerId\",\"status\"]}]}},"
                + "\"schemaValidation\":true}";
        plan(schema).statusCode(200).body("applicable", equalTo(true)).body("violations", hasSize(0))
                .body("changes.find { it.kind == 'table' && it.table == '" + projects + "' }.change", equalTo("added"));
        int version = push(schema).statusCode(200).extract().path("version");
        given().get("/api/schema").then().statusCode(200)
                .body("version", equalTo(version))
                .body("hash", matchesPattern("[0-9a-f]{64}"))
                .body("activatedAt", notNullValue())
                .body("indexes.findAll { it.table == '" + projects + "' }.name", hasItems("by_customer", "by_customer_status", "by_creation_time"));

        String customer = insert(customers, "{\"orgId\":\"org1\",\"name\":\"Acme\"}");
        insert(projects, "{\"customerId\":\"" + customer + "\",\"name\":\"Launch\",\"status\":\"active\",\"startDate\":1}");
        String otherTableId = insert(projects, "{\"customerId\":\"" + customer + "\",\"name\":\"Ship\",\"status\":\"completed\",\"startDate\":2,\"endDate\":3}");
        long before = TestDb.count(projects);
        given().contentType(ContentType.JSON)
                .body("{\"customerId\":\"" + otherTableId + "\",\"name\":7,\"status\":\"paused\",\"extra\":true}")
                .post(docs(projects)).then().statusCode(400).contentType("application/problem+json")
                .body("violations.path", containsInAnyOrder("/customerId", "/name", "/status", "/startDate", "/extra"));
        assertEquals(before, TestDb.count(projects), "nothing stored");

        // the same schema again: same version, no changes
        push(schema).statusCode(200).body("version", equalTo(version)).body("changes", hasSize(0));
    }

    @Test
    void addingOptionalFieldsIsSafeWithTenThousandDocumentsPresent() {
        String table = TestDb.freshTable("customers");
        push(customers(table, "")).statusCode(200);
        Bulk.insert(table, 10_000, i -> "{\"orgId\":\"org" + (i % 10) + "\",\"name\":\"Customer " + i + "\"}");
        String widened = customers(table, ",\"email\":{\"type\":\"string\",\"optional\":true},\"phone\":{\"type\":\"string\",\"optional\":true}");
        plan(widened).statusCode(200).body("applicable", equalTo(true))
                .body("changes.findAll { it.kind == 'field' }.safety", everyItem(equalTo("safe")))
                .body("changes.findAll { it.kind == 'field' }.field", containsInAnyOrder("email", "phone"));
        int v = push(widened).statusCode(200).extract().path("version");
        assertEquals(v, activeVersion());
        insert(table, "{\"orgId\":\"o\",\"name\":\"n\",\"email\":\"a@b.c\"}");
    }

    @Test
    void F13_makingAnOptionalFieldRequiredWhileDocumentsLackItIsRefusedWithEveryViolationCounted() {
        String table = TestDb.freshTable("customers");
        push(customers(table, ",\"status\":{\"type\":\"string\",\"optional\":true}")).statusCode(200);
        Bulk.insert(table, 10_000, i -> i % 2 == 0
                ? "{\"orgId\":\"o\",\"name\":\"C" + i + "\"}"
                : "{\"orgId\":\"o\",\"name\":\"C" + i + "\",\"status\":\"active\"}");
        int version = activeVersion();
        String required = customers(table, ",\"status\":{\"type\":\"string\"}");
        plan(required).statusCode(200)
                .body("applicable", equalTo(false))
                .body("changes.find { it.field == 'status' }.safety", equalTo("breaking"))
                .body("violations[0].table", equalTo(table))
                .body("violations[0].violating", equalTo(5000))
                .body("violations[0].examples", hasSize(10))
                .body("violations[0].examples.path", everyItem(equalTo("/status")));
        problem(push(required), 422, null)
                .body("tables[0].violating", equalTo(5000))
                .body("tables[0].examples", hasSize(10));
        assertEquals(version, activeVersion(), "nothing changes");
        insert(table, "{\"orgId\":\"o\",\"name\":\"still optional\"}");
    }

    @Test
    void removingAFieldThatDocumentsCarryIsBreaking() {
        String table = TestDb.freshTable("customers");
        push(customers(table, ",\"legacyField\":{\"type\":\"string\"}")).statusCode(200);
        Bulk.insert(table, 20, i -> "{\"orgId\":\"o\",\"name\":\"n\",\"legacyField\":\"old\"}");
        plan(customers(table, "")).statusCode(200)
                .body("changes.find { it.field == 'legacyField' }.change", equalTo("removed"))
                .body("changes.find { it.field == 'legacyField' }.safety", equalTo("breaking"))
                .body("violations[0].violating", equalTo(20))
                .body("violations[0].examples[0].path", equalTo("/legacyField"));
        problem(push(customers(table, "")), 422, null);
    }

    @Test
    void changingAFieldTypeIsBreakingAndWideningIsSafe() {
        String table = TestDb.freshTable("customers");
        push(customers(table, ",\"score\":{\"type\":\"int64\"}")).statusCode(200);
        Bulk.insert(table, 5, i -> "{\"orgId\":\"o\",\"name\":\"n\",\"score\":" + i + "}");
        plan(customers(table, ",\"score\":{\"type\":\"string\"}")).statusCode(200)
                .body("changes.find { it.field == 'score' }.safety", equalTo("breaking"))
                .body("violations[0].violating", equalTo(5));
        plan(customers(table, ",\"score\":{\"type\":\"number\"}")).statusCode(200)
                .body("changes.find { it.field == 'score' }.safety", equalTo("safe"))
                .body("applicable", equalTo(true));
    }

    @Test
    void withValidationOffTheSchemaIsStoredButNotEnforced() {
        String table = TestDb.freshTable("loose");
        push("{\"tables\":{\"" + table + "\":{\"document\":{\"a\":{\"type\":\"string\"}}}},\"schemaValidation\":false}").statusCode(200);
        insert(table, "{\"a\":1,\"b\":true}");
        given().get("/api/schema").then().body("schema.schemaValidation", equalTo(false));
    }

    @Test
    void tablesAbsentFromTheSchemaStaySchemaless() {
        String table = TestDb.freshTable("customers");
        push(customers(table, "")).statusCode(200);
        insert(TestDb.freshTable("free"), "{\"anything\":[1,\"two\"]}");
    }

    @Test
    void patchesAndReplacementsAreValidatedOnTheirResult() {
        String table = TestDb.freshTable("customers");
        push(customers(table, ",\"status\":{\"type\":\"string\",\"optional\":true}")).statusCode(200);
        String id = insert(table, "{\"orgId\":\"o\",\"name\":\"n\"}");
        problem(given().contentType(ContentType.JSON).body("{\"name\":null}").patch(docs(table) + "/" + id).then(), 400, "/name");
        problem(given().contentType(ContentType.JSON).body("{\"orgId\":\"o\"}").put(docs(table) + "/" + id).then(), 400, "/name");
        problem(given().contentType(ContentType.JSON).body("[{\"orgId\":\"o\",\"name\":\"n\"},{\"orgId\":1,\"name\":\"n\"}]")
                .post(docs(table) + "/batch").then(), 400, "/1/orgId");
        given().contentType(ContentType.JSON).body("{\"status\":\"active\"}").patch(docs(table) + "/" + id).then().statusCode(200);
        given().get(docs(table) + "/" + id).then().body("name", equalTo("n")).body("status", equalTo("active"));
    }

    @Test
    void versionsAreKeptAndReadable() {
        String table = TestDb.freshTable("customers");
        int v1 = push(customers(table, "")).statusCode(200).extract().path("version");
        int v2 = push(customers(table, ",\"email\":{\"type\":\"string\",\"optional\":true}")).statusCode(200).extract().path("version");
        assertEquals(v1 + 1, v2);
        given().get("/api/schema/versions").then().statusCode(200).body("version", hasItems(v1, v2));
        given().get("/api/schema/versions/" + v2).then().statusCode(200)
                .body("version", equalTo(v2))
                .body("schema.tables." + table + ".document.email.optional", equalTo(true))
                .body("changes[0].field", equalTo("email"));
        problem(given().get("/api/schema/versions/999999").then(), 404, null);
        problem(given().get("/api/schema/versions/abc").then(), 404, null);
    }

    @Test
    void yamlSchemasArePushedToo() {
        String table = TestDb.freshTable("yaml");
        String yaml = "tables:\n  " + table + ":\n    document:\n      title: {type: string}\n";
        given().contentType("application/yaml").body(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)).put("/api/schema").then().statusCode(200);
        problem(given().contentType(ContentType.JSON).body("{\"title\":3}").post(docs(table)).then(), 400, "/title");
    }

    @Test
    void invalidSchemaDocumentsAre400AndChangeNothing() {
        int version = pushSomething();
        problem(given().contentType(ContentType.JSON).body("{\"tables\":{\"t\":{\"document\":{\"a\":{\"type\":\"strin\"}}}}}").put("/api/schema").then(), 400,
                "/tables/t/document/a/type");
        problem(given().contentType(ContentType.JSON).body("{\"tables\": ").put("/api/schema").then(), 400, "/");
        problem(given().contentType(ContentType.JSON).body("{\"tables\":{},\"tables\":{}}").post("/api/schema/plan").then(), 400, "/");
        assertEquals(version, activeVersion());
    }

    @Test
    void noSchemaEverPushedIs404() throws SQLException {
        pushSomething();
        try (Connection c = TestDb.connect()) {
            Integer active = null;
            try (var r = c.createStatement().executeQuery("select active_version from docshift.schema_state")) {
                r.next();
                active = r.getInt(1);
            }
            c.createStatement().execute("update docshift.schema_state set active_version = null");
            try {
                problem(given().get("/api/schema").then(), 404, null);
            } finally {
                c.createStatement().execute("update docshift.schema_state set active_version = " + active);
            }
        }
    }

    private static int pushSomething() {
        return push(customers(TestDb.freshTable("any"), "")).statusCode(200).extract().path("version");
    }
}
