package io.docshift.hostile;

import io.docshift.support.Api;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.lessThan;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hostile inputs across every endpoint, one table: each gets its 4xx as problem+json (naming the place where
 * the request says where), changes nothing in the database, and leaves the service answering. The state
 * of the database is fingerprinted before and after each input (the write sequence every document write
 * draws from, and the rows of every table of Docshift's own), and checksummed in full around the suite.
 */
@QuarkusTest
class HostileInputTest {

    static final String TABLE = "hostile_target";
    static String id;
    static String cursor;
    static String queryCursor;
    static String fullChecksum;

    /** One hostile request and what it must get. */
    record Input(String name, String method, String path, String contentType, byte[] body, int status, String pointer) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Input in(String name, String method, String path, String body, int status, String pointer) {
        return new Input(name, method, path, "application/json", body == null ? null : body.getBytes(StandardCharsets.UTF_8), status, pointer);
    }

    private static Input raw(String name, String method, String path, String type, byte[] body, int status) {
        return new Input(name, method, path, type, body, status, null);
    }

    static List<Input> inputs() throws Exception {
        fixtures();
        String docs = "/api/tables/" + TABLE + "/documents";
        String one = docs + "/" + id;
        String query = "/api/tables/" + TABLE + "/query";
        String mig = "/api/migrations/hostileMigration";
        String step = "{\"table\":\"" + TABLE + "\",\"steps\":[%s]}";
        String tamperedCursor = cursor.substring(0, cursor.length() - 2) + (cursor.endsWith("A") ? "B" : "A") + cursor.charAt(cursor.length() - 1);
        List<Input> l = new ArrayList<>();
        // documents: bodies
        l.add(in("truncated JSON", "POST", docs, "{\"a\": [1, 2", 400, null));
        l.add(in("malformed JSON", "POST", docs, "{\"a\" 1}", 400, null));
        l.add(in("empty body", "POST", docs, "", 400, "/"));
        l.add(raw("text/plain body", "POST", docs, "text/plain", "{\"a\":1}".getBytes(StandardCharsets.UTF_8), 415));
        l.add(raw("CSV body", "POST", docs, "text/csv", "a,1".getBytes(StandardCharsets.UTF_8), 415));
        l.add(in("deep nesting (200 levels)", "POST", docs, "{\"a\":".repeat(200) + "1" + "}".repeat(200), 400, null));
        l.add(in("2 MiB string", "POST", docs, "{\"a\":\"" + "x".repeat(2 << 20) + "\"}", 413, "/"));
        l.add(in("10,000-element array", "POST", docs, "{\"a\":[" + "1,".repeat(9_999) + "1]}", 400, "/a/8192"));
        l.add(in("integer beyond float64", "POST", docs, "{\"n\":1" + "0".repeat(400) + "}", 400, "/n"));
        l.add(in("float beyond float64", "POST", docs, "{\"n\":-1e309}", 400, "/n"));
        l.add(raw("invalid UTF-8", "POST", docs, "application/json", new byte[]{'{', '"', 'a', '"', ':', '"', (byte) 0xFF, '"', '}'}, 400));
        l.add(in("duplicate keys", "POST", docs, "{\"a\":1,\"a\":2}", 400, "/a"));
        l.add(in("reserved _id", "POST", docs, "{\"_id\":\"01m8fraa7b007kwny59614wsep\"}", 400, "/_id"));
        l.add(in("reserved _creationTime", "POST", docs, "{\"_creationTime\":1}", 400, "/_creationTime"));
        l.add(in("NUL in a string", "POST", docs, "{\"a\":\"\\u0000\"}", 400, "/a"));
        l.add(in("NUL in a field name", "POST", docs, "{\"a\\u0000b\":1}", 400, null));
        l.add(in("lone low surrogate", "POST", docs, "{\"a\":\"\\udc00\"}", 400, "/a"));
        l.add(in("Infinity", "POST", docs, "{\"a\":Infinity}", 400, null));
        l.add(in("batch of zero", "POST", docs + "/batch", "[]", 400, "/"));
        l.add(in("batch with a non-object", "POST", docs + "/batch", "[{\"a\":1}, 2]", 400, "/1"));
        l.add(in("batch of 10,001", "POST", docs + "/batch", "[" + "{},".repeat(10_000) + "{}]", 400, "/10000"));
        l.add(in("patch that is an array", "PATCH", one, "[{\"op\":\"add\"}]", 400, "/"));
        l.add(in("patch setting _id", "PATCH", one, "{\"_id\":null}", 400, "/_id"));
        l.add(in("replace with a $ field", "PUT", one, "{\"$where\":\"1\"}", 400, "/$where"));
        // documents: names and ids in the path
        l.add(in("SQL in a table name", "POST", "/api/tables/x%22%3B%20drop%20table%20y%3B%20--/documents", "{}", 400, "table"));
        l.add(in("quote in a table name", "GET", "/api/tables/a'b/documents", null, 400, "table"));
        l.add(in("65-character table name", "GET", "/api/tables/" + "t".repeat(65) + "/documents", null, 400, "table"));
        l.add(in("table name starting with a digit", "POST", "/api/tables/1abc/documents", "{}", 400, "table"));
        l.add(in("non-ASCII table name", "POST", "/api/tables/t%C3%A5ble/documents", "{}", 400, "table"));
        l.add(in("SQL in a document id", "GET", docs + "/'%20or%201=1%20--", null, 400, "id"));
        l.add(in("id of 25 characters", "PATCH", docs + "/" + id.substring(1), "{}", 400, "id"));
        l.add(in("id with letters outside base32", "DELETE", docs + "/" + "u".repeat(26), null, 400, "id"));
        l.add(in("id of another table", "GET", docs + "/01m8fraa7b007kwny59614wsep", null, 404, null));
        // pagination
        l.add(in("limit 0", "GET", docs + "?limit=0", null, 400, "limit"));
        l.add(in("limit not a number", "GET", docs + "?limit=ten", null, 400, "limit"));
        l.add(in("limit 1,000,001", "GET", docs + "?limit=1000001", null, 400, "limit"));
        l.add(in("order sideways", "GET", docs + "?order=sideways", null, 400, "order"));
        l.add(in("forged cursor", "GET", docs + "?cursor=eyJ0IjoxfQ", null, 400, "cursor"));
        l.add(in("tampered cursor", "GET", docs + "?cursor=" + tamperedCursor, null, 400, "cursor"));
        l.add(in("cursor of another table", "GET", "/api/tables/hostile_other/documents?cursor=" + cursor, null, 400, "cursor"));
        l.add(in("SQL in a cursor", "GET", docs + "?cursor=%27%3B%20delete%20from%20docshift.doc_table%3B--", null, 400, "cursor"));
        // index queries
        l.add(in("query of an unknown index", "POST", query, "{\"index\":\"by_nothing\"}", 400, "/index"));
        l.add(in("SQL in an index name", "POST", query, "{\"index\":\"by_x'); drop table docshift.doc_table; --\"}", 400, "/index"));
        l.add(in("query with an unknown key", "POST", query, "{\"index\":\"by_creation_time\",\"where\":\"1=1\"}", 400, "/where"));
        l.add(in("query limit 0", "POST", query, "{\"index\":\"by_creation_time\",\"limit\":0}", 400, "/limit"));
        l.add(in("query range of mixed types", "POST", query, "{\"index\":\"by_creation_time\",\"range\":{\"field\":\"_creationTime\",\"gt\":1,\"lt\":\"z\"}}", 400, "/range"));
        l.add(in("query that is an array", "POST", query, "[]", 400, "/"));
        l.add(in("tampered query cursor", "POST", query, "{\"index\":\"by_creation_time\",\"cursor\":\"" + queryCursor.substring(1) + "\"}", 400, "/cursor"));
        l.add(in("page cursor in a query", "POST", query, "{\"index\":\"by_creation_time\",\"cursor\":\"" + cursor + "\"}", 400, "/cursor"));
        // schemas
        l.add(in("unknown validator type", "PUT", "/api/schema", "{\"tables\":{\"" + TABLE + "\":{\"document\":{\"a\":{\"type\":\"strng\"}}}}}", 400, "/tables/" + TABLE + "/document/a/type"));
        l.add(in("unknown top-level schema key", "PUT", "/api/schema", "{\"tables\":{},\"validate\":true}", 400, "/validate"));
        l.add(in("SQL in a schema's table name", "PUT", "/api/schema", "{\"tables\":{\"t; drop table x\":{\"document\":{}}}}", 400, "/tables/t; drop table x"));
        l.add(in("SQL in an index field", "PUT", "/api/schema", "{\"tables\":{\"" + TABLE + "\":{\"document\":{\"a\":{\"type\":\"string\"}},"
                + "\"indexes\":[{\"name\":\"by_a\",\"fields\":[\"a') from x; --\"]}]}}}", 400, null));
        l.add(in("id validator of an unknown table", "PUT", "/api/schema", "{\"tables\":{\"" + TABLE + "\":{\"document\":{\"o\":{\"type\":\"id\",\"table\":\"nowhere_at_all\"}}}}}", 400, null));
        l.add(in("schemaValidation as a string", "POST", "/api/schema/plan", "{\"tables\":{},\"schemaValidation\":\"yes\"}", 400, "/schemaValidation"));
        l.add(in("migrations that is not an array", "PUT", "/api/schema", "{\"tables\":{},\"migrations\":\"all\"}", 400, "/migrations"));
        l.add(in("migration name with SQL", "PUT", "/api/schema", "{\"tables\":{},\"migrations\":[\"x'; drop\"]}", 400, "/migrations/0"));
        l.add(in("unknown migration in a schema", "PUT", "/api/schema", "{\"tables\":{\"" + TABLE + "\":{\"document\":{}}},\"migrations\":[\"noSuchMigrationAnywhere\"]}", 400, "/migrations/0"));
        l.add(raw("malformed YAML schema", "PUT", "/api/schema", "application/yaml", "tables: [unclosed".getBytes(StandardCharsets.UTF_8), 400));
        l.add(in("schema that is a string", "POST", "/api/schema/plan", "\"tables\"", 400, "/"));
        // migrations
        l.add(in("unknown step op", "PUT", mig, String.format(step, "{\"op\":\"explode\",\"field\":\"a\"}"), 400, "/steps/0/op"));
        l.add(in("SQL in a step's field", "PUT", mig, String.format(step, "{\"op\":\"unset\",\"field\":\"a'); drop table x; --\"}"), 400, "/steps/0/field"));
        l.add(in("SQL in a migration's table", "PUT", mig, "{\"table\":\"x; drop table y\",\"steps\":[{\"op\":\"unset\",\"field\":\"a\"}]}", 400, "/table"));
        l.add(in("conversion to a date", "PUT", mig, String.format(step, "{\"op\":\"convert\",\"field\":\"a\",\"to\":\"date\"}"), 400, null));
        l.add(in("rename to itself", "PUT", mig, String.format(step, "{\"op\":\"rename\",\"from\":\"a\",\"to\":\"a\"}"), 400, "/steps/0/to"));
        l.add(in("renames that undo each other", "PUT", mig, String.format(step, "{\"op\":\"rename\",\"from\":\"a\",\"to\":\"b\"},{\"op\":\"rename\",\"from\":\"b\",\"to\":\"a\"}"), 400, "/steps/1"));
        l.add(in("no steps", "PUT", mig, String.format(step, ""), 400, "/steps"));
        l.add(in("negative throttle", "PUT", mig, "{\"table\":\"" + TABLE + "\",\"maxDocumentsPerSecond\":-1,\"steps\":[{\"op\":\"unset\",\"field\":\"a\"}]}", 400, "/maxDocumentsPerSecond"));
        l.add(in("cron that is not one", "PUT", mig, "{\"table\":\"" + TABLE + "\",\"window\":{\"cron\":\"every night\",\"duration\":\"PT1H\"},\"steps\":[{\"op\":\"unset\",\"field\":\"a\"}]}", 400, "/window/cron"));
        l.add(in("SQL in a migration name", "PUT", "/api/migrations/x';drop", String.format(step, "{\"op\":\"unset\",\"field\":\"a\"}"), 400, "name"));
        l.add(in("run args that are not an object", "POST", "/api/migrations/hostileExisting/runs", "{\"args\":[1]}", 400, "/args"));
        l.add(in("run limit below 1", "POST", "/api/migrations/hostileExisting/runs", "{\"limit\":-5}", 400, "/limit"));
        l.add(in("dryRun as a string", "POST", "/api/migrations/hostileExisting/runs", "{\"dryRun\":\"yes\"}", 400, "/dryRun"));
        l.add(in("run request with an unknown key", "POST", "/api/migrations/hostileExisting/runs", "{\"overwrite\":true}", 400, "/overwrite"));
        l.add(in("run of an unknown migration", "POST", "/api/migrations/noSuchMigrationAnywhere/runs", "{}", 404, null));
        l.add(in("run id that is not a number", "GET", "/api/migrations/runs/1'%20or%20'1", null, 404, null));
        l.add(in("cancel of an unknown run", "POST", "/api/migrations/runs/987654321/cancel", null, 404, null));
        l.add(in("rollback of an unknown run", "POST", "/api/migrations/runs/987654321/rollback", null, 404, null));
        l.add(in("transition rollback with none open", "POST", "/api/schema/transition/rollback", null, 409, null));
        l.add(in("unknown schema version", "GET", "/api/schema/versions/1%20or%201=1", null, 404, null));
        return l;
    }

    /** Documents, cursors and a migration to aim at; made once, when the application is up. */
    static synchronized void fixtures() throws Exception {
        if (id != null) {
            return;
        }
        id = Api.insert(TABLE, "{\"a\":1}");
        Api.insert(TABLE, "{\"a\":2}");
        Api.insert("hostile_other", "{\"a\":1}");
        cursor = given().queryParam("limit", 1).get(Api.docs(TABLE)).then().statusCode(200).extract().path("continueCursor");
        queryCursor = given().contentType("application/json").body("{\"index\":\"by_creation_time\",\"limit\":1}").post("/api/tables/" + TABLE + "/query")
                .then().statusCode(200).extract().path("continueCursor");
        given().contentType("application/json").body("{\"table\":\"" + TABLE + "\",\"steps\":[{\"op\":\"unset\",\"field\":\"zz\"}]}")
                .put("/api/migrations/hostileExisting").then().statusCode(org.hamcrest.Matchers.oneOf(200, 201));
        awaitQuiet();
        fullChecksum = fullChecksum();
    }

    @Test
    void thereAreAtLeastSixtyOfThem() throws Exception {
        assertTrue(inputs().size() >= 60, "hostile inputs: " + inputs().size());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void isRefusedWithAProblemAndChangesNothing(Input input) throws Exception {
        String before = fingerprint();
        RequestSpecification r = given().urlEncodingEnabled(false);
        if (input.body() != null) {
            r = r.contentType(input.contentType()).body(input.body());
        }
        ValidatableResponse v = r.request(input.method(), input.path()).then()
                .statusCode(input.status()).contentType("application/problem+json").body("status", equalTo(input.status()))
                .body("detail", notNullValue());
        if (input.pointer() != null) {
            v.body("violations.path", org.hamcrest.Matchers.hasItem(input.pointer()));
        }
        assertEquals(before, fingerprint(), "the database is unchanged");
        given().get("/api/tables").then().statusCode(200);
    }

    /** Nothing may ever be a 5xx: a spread of odd bodies on every write endpoint. */
    @Test
    void noBodyAnywhereIsAServerError() throws Exception {
        fixtures();
        String[] bodies = {"", "{", "}", "[]", "[[]]", "null", "0", "-0", "1e-400", "\"\\u0000\"", "{\"a\":\"\\ud83d\"}", "{\"a\":1e308}",
                "{\"a\":-9223372036854775809}", "{\"a\":{\"b\":{\"c\":[[[[[[[[[[]]]]]]]]]]}}}", "\uFEFF{}", "{\"a\":\"\\uFFFF\"}"};
        String[] paths = {"POST /api/tables/" + TABLE + "/documents", "POST /api/tables/" + TABLE + "/documents/batch",
                "PATCH /api/tables/" + TABLE + "/documents/" + id, "POST /api/tables/" + TABLE + "/query",
                "POST /api/schema/plan", "PUT /api/migrations/hostileOdd"};
        for (String p : paths) {
            String[] mp = p.split(" ");
            for (String b : bodies) {
                given().contentType("application/json").body(b.getBytes(StandardCharsets.UTF_8)).request(mp[0], mp[1]).then()
                        .statusCode(greaterThanOrEqualTo(200)).statusCode(lessThan(500));
            }
        }
    }

    @AfterAll
    static void everyTableIsAsBefore() throws Exception {
        if (fullChecksum != null) {
            // the odd-bodies test may store documents (some odd bodies are valid); it runs against its own rows only
            assertEquals(fullChecksum.split("\n")[0], fullChecksum().split("\n")[0], "Docshift's own tables are unchanged");
        }
    }

    /** Waits until no run or index build of an earlier test is still changing things. */
    private static void awaitQuiet() throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline && TestDb.scalar("select (select count(*) from docshift.migration_run where state in ('pending', 'running'))"
                + " + (select count(*) from docshift.doc_index where state in ('building', 'dropping'))") > 0) {
            Thread.sleep(100);
        }
    }

    /**
     * A cheap fingerprint: the write sequence (every document write draws from it) and the row count and
     * newest change of each of Docshift's own tables.
     */
    private static String fingerprint() throws SQLException {
        return TestDb.scalar("select last_value from docshift.write_seq") + "|" + query("select concat_ws('|',"
                + " (select count(*) from docshift.doc_table), (select count(*) from docshift.schema_version),"
                + " (select active_version from docshift.schema_state), (select count(*) || '/' || max(updated_at) from docshift.migration),"
                + " (select count(*) from docshift.migration_run), (select count(*) from docshift.transition), (select count(*) from docshift.doc_index),"
                + " (select count(*) from docshift.migration_backup))");
    }

    /** An md5 over every row of Docshift's own tables (first line) and of the target tables (second). */
    private static String fullChecksum() throws SQLException {
        String own = query("select md5(string_agg(x, '' order by x)) from ("
                + " select 'doc_table' || t::text as x from docshift.doc_table t union all select 'sv' || t::text from docshift.schema_version t"
                + " union all select 'ss' || t::text from docshift.schema_state t union all select 'm' || t::text from docshift.migration t"
                + " union all select 'r' || t::text from docshift.migration_run t union all select 'tr' || t::text from docshift.transition t"
                + " union all select 'i' || t::text from docshift.doc_index t) all_rows");
        return own + "\n" + query("select md5(string_agg(t::text, '' order by t::text)) from " + TestDb.physical(TABLE) + " t");
    }

    private static String query(String sql) throws SQLException {
        try (Connection c = TestDb.connect(); ResultSet r = c.createStatement().executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }
}
