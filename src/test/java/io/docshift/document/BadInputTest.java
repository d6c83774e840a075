package io.docshift.document;

import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.stream.Stream;

import static io.docshift.support.Api.docs;
import static io.docshift.support.Api.insert;
import static io.docshift.support.Api.problem;
import static io.docshift.support.Management.management;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** Every bad-input rule of the document API: the status, a problem+json naming the path, nothing stored. */
@QuarkusTest
class BadInputTest {

    static final int MIB = 1 << 20;

    static Stream<Arguments> badDocuments() {
        return Stream.of(
                Arguments.of("malformed JSON", bytes("{\"a\": 1,"), 400, null),
                Arguments.of("truncated string", bytes("{\"a\": \"abc"), 400, null),
                Arguments.of("array body", bytes("[{\"a\":1}]"), 400, "/"),
                Arguments.of("string body", bytes("\"hello\""), 400, "/"),
                Arguments.of("number body", bytes("42"), 400, "/"),
                Arguments.of("null body", bytes("null"), 400, "/"),
                Arguments.of("empty body", new byte[0], 400, "/"),
                Arguments.of("content after the document", bytes("{} {}"), 400, "/"),
                Arguments.of("1 MiB + 1 byte", sized(MIB + 1), 413, "/"),
                Arguments.of("depth 17", bytes(nested(17)), 400, "/" + "a/".repeat(15) + "a"),
                Arguments.of("1025 fields", bytes(fields(1025)), 400, "/f1024"),
                Arguments.of("8193-element array", bytes(array(8193)), 400, "/arr/8192"),
                Arguments.of("duplicate keys", bytes("{\"a\":1,\"b\":2,\"a\":3}"), 400, "/a"),
                Arguments.of("nested duplicate keys", bytes("{\"o\":{\"k\":1,\"k\":1}}"), 400, "/o/k"),
                Arguments.of("_ field", bytes("{\"_id\":\"x\"}"), 400, "/_id"),
                Arguments.of("$ field", bytes("{\"$set\":1}"), 400, "/$set"),
                Arguments.of("nested $ field", bytes("{\"o\":{\"$where\":1}}"), 400, "/o/$where"),
                Arguments.of("empty field name", bytes("{\"\":1}"), 400, "/"),
                Arguments.of("65-character top-level name", bytes("{\"" + "n".repeat(65) + "\":1}"), 400, "/" + "n".repeat(65)),
                Arguments.of("1025-character nested name", bytes("{\"o\":{\"" + "n".repeat(1025) + "\":1}}"), 400, "/o/" + "n".repeat(1025)),
                Arguments.of("NUL character", bytes("{\"a\":\"x\\u0000y\"}"), 400, "/a"),
                Arguments.of("lone surrogate", bytes("{\"a\":\"\\ud800\"}"), 400, "/a"),
                Arguments.of("invalid UTF-8", new byte[]{'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}, 400, null),
                Arguments.of("number beyond float64", bytes("{\"a\":1e400}"), 400, "/a"),
                Arguments.of("NaN", bytes("{\"a\":NaN}"), 400, null),
                Arguments.of("single quotes", bytes("{'a':1}"), 400, null),
                Arguments.of("comment", bytes("{/*x*/\"a\":1}"), 400, null));
    }

    @ParameterizedTest(name = "{0} is {2}")
    @MethodSource("badDocuments")
    void badDocumentsAreRefusedAndNothingIsStored(String name, byte[] body, int status, String path) throws SQLException {
        String table = TestDb.freshTable("bad");
        long tablesBefore = registeredTables();
        problem(given().contentType(ContentType.JSON).body(body).post(docs(table)).then(), status, path);
        assertFalse(TestDb.tableExists(table), "a refused insert must not create the table");
        assertEquals(tablesBefore, registeredTables());
        management().get("/q/health/live").then().statusCode(200);
    }

    @ParameterizedTest(name = "{0} in PUT is {2}")
    @MethodSource("badDocuments")
    void badReplacementsLeaveTheDocumentAsItWas(String name, byte[] body, int status, String path) {
        String table = TestDb.freshTable("badput");
        String id = insert(table, "{\"keep\":\"me\"}");
        problem(given().contentType(ContentType.JSON).body(body).put(docs(table) + "/" + id).then(), status, path);
        given().get(docs(table) + "/" + id).then().statusCode(200).body("keep", org.hamcrest.Matchers.equalTo("me"));
    }

    @Test
    void theLimitsThemselvesAreAccepted() {
        String table = TestDb.freshTable("limits");
        given().contentType(ContentType.JSON).body(nested(16)).post(docs(table)).then().statusCode(201);
        given().contentType(ContentType.JSON).body(fields(1024)).post(docs(table)).then().statusCode(201);
        given().contentType(ContentType.JSON).body(array(8192)).post(docs(table)).then().statusCode(201);
        given().contentType(ContentType.JSON).body(sized(MIB)).post(docs(table)).then().statusCode(201);
        given().contentType(ContentType.JSON).body("{\"" + "n".repeat(64) + "\":1,\"o\":{\"" + "m".repeat(1024) + "\":1}}")
                .post(docs(table)).then().statusCode(201);
        assertEquals(5, TestDb.count(table));
    }

    @Test
    void aPatchThatMakesTheDocumentTooLargeIs413AndChangesNothing() {
        String table = TestDb.freshTable("bigpatch");
        String half = "x".repeat(MIB / 2 + 10);
        String id = insert(table, "{\"a\":\"" + half + "\"}");
        problem(given().contentType(ContentType.JSON).body("{\"b\":\"" + half + "\"}").patch(docs(table) + "/" + id).then(), 413, "/");
        given().get(docs(table) + "/" + id).then().statusCode(200).body("$", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasKey("b")));
    }

    @Test
    void patchesObeyTheSameNameRules() {
        String table = TestDb.freshTable("badpatch");
        String id = insert(table, "{\"a\":1}");
        problem(given().contentType("application/merge-patch+json").body("{\"_creationTime\":1}").patch(docs(table) + "/" + id).then(), 400, "/_creationTime");
        problem(given().contentType("application/merge-patch+json").body("[1]").patch(docs(table) + "/" + id).then(), 400, "/");
        given().get(docs(table) + "/" + id).then().body("a", org.hamcrest.Matchers.equalTo(1));
    }

    static Stream<String> badTableNames() {
        return Stream.of("x\"; drop table y; --", "1abc", "_hidden", "a-b", "tâble", "t" + "x".repeat(64), "a b");
    }

    @ParameterizedTest(name = "table name {0}")
    @MethodSource("badTableNames")
    void invalidTableNamesAre400AndReachNoSql(String table) throws SQLException {
        long tablesBefore = registeredTables();
        problem(given().contentType(ContentType.JSON).body("{\"a\":1}").post("/api/tables/{t}/documents", table).then(), 400, "table");
        problem(given().get("/api/tables/{t}/documents", table).then(), 400, "table");
        assertEquals(tablesBefore, registeredTables());
    }

    @Test
    void aSixtyFourCharacterTableNameIsValid() {
        String table = "t" + "2".repeat(63);
        insert(table, "{\"a\":1}");
        given().get(docs(table)).then().statusCode(200).body("page.size()", org.hamcrest.Matchers.greaterThanOrEqualTo(1));
    }

    @Test
    void wrongContentTypeIs415() {
        String table = TestDb.freshTable("ctype");
        problem(given().contentType(ContentType.TEXT).body("{\"a\":1}").post(docs(table)).then(), 415, null);
        problem(given().contentType(ContentType.XML).body("<a/>").post(docs(table)).then(), 415, null);
        assertFalse(TestDb.tableExists(table));
    }

    @Test
    void badPagingParametersAre400() {
        String table = TestDb.freshTable("paging");
        insert(table, "{\"a\":1}");
        problem(given().get(docs(table) + "?limit=0").then(), 400, "limit");
        problem(given().get(docs(table) + "?limit=1001").then(), 400, "limit");
        problem(given().get(docs(table) + "?limit=ten").then(), 400, "limit");
        problem(given().get(docs(table) + "?order=sideways").then(), 400, "order");
        problem(given().get(docs(table) + "?cursor=garbage!").then(), 400, "cursor");
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A document of exactly {@code size} bytes. */
    static byte[] sized(int size) {
        String prefix = "{\"s\":\"";
        String suffix = "\"}";
        return bytes(prefix + "x".repeat(size - prefix.length() - suffix.length()) + suffix);
    }

    /** {@code levels} nested objects, the document itself being level 1. */
    static String nested(int levels) {
        return "{\"a\":".repeat(levels - 1) + "{}" + "}".repeat(levels - 1);
    }

    static String fields(int n) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < n; i++) {
            b.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":").append(i);
        }
        return b.append('}').toString();
    }

    static String array(int n) {
        return "{\"arr\":[" + "0,".repeat(n - 1) + "0]}";
    }

    static long registeredTables() {
        try (Connection c = TestDb.connect(); ResultSet r = c.createStatement().executeQuery("select count(*) from docshift.doc_table")) {
            r.next();
            return r.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
