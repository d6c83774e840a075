package io.docshift.transfer;

import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import static io.docshift.support.Api.docs;
import static io.docshift.support.Api.problem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * An import into a table that does not exist yet reserves the table's number and creates the table only when it
 * commits: a refused or aborted import leaves no table, and whatever creates the table meanwhile takes the number
 * the import's ids embed.
 */
@QuarkusTest
class ImportTablesTest {

    @Test
    void aRefusedImportLeavesNoTable() {
        String table = TestDb.freshTable("refusedimport");
        long id = start(table, 0);
        lines(id, "{\"a\":1}\nnot json\n").statusCode(200).body("violating", equalTo(1));
        problem(given().post("/api/imports/" + id + "/commit").then(), 422, "/2");
        assertNoTable(table);
    }

    @Test
    void anAbortedImportLeavesNoTable() {
        String table = TestDb.freshTable("abortedimport");
        long id = start(table, 0);
        lines(id, "{\"a\":1}\n{\"a\":2}\n").statusCode(200).body("lines", equalTo(2));
        given().get("/api/tables").then().statusCode(200).body(not(containsString("\"" + table + "\"")));
        given().delete("/api/imports/" + id).then().statusCode(204);
        assertNoTable(table);
    }

    @Test
    void theImportedTableKeepsItsReservedNumberWhenAnInsertCreatesItFirst() {
        String table = TestDb.freshTable("reservedimport");
        int wanted = (int) TestDb.scalar("select coalesce(max(number), 0) + 50 from docshift.doc_table");
        long id = start(table, wanted);
        lines(id, "{\"a\":1}\n{\"a\":2}\n").statusCode(200);
        // an insert creates the table meanwhile: it takes the reserved number, so the staged ids still belong to it
        given().contentType(ContentType.JSON).body("{\"a\":3}").post(docs(table)).then().statusCode(201);
        assertEquals(wanted, TestDb.scalar("select number from docshift.doc_table where name = '" + table + "'"));
        given().post("/api/imports/" + id + "/commit").then().statusCode(200).body("imported", equalTo(2)).body("reassigned", equalTo(0));
        assertEquals(3, TestDb.count(table));
    }

    private static long start(String table, int tableNumber) {
        return given().contentType(ContentType.JSON).body("{\"table\":\"" + table + "\",\"mode\":\"append\",\"tableNumber\":" + tableNumber + "}")
                .post("/api/imports").then().statusCode(201).extract().jsonPath().getLong("importId");
    }

    private static io.restassured.response.ValidatableResponse lines(long id, String ndjson) {
        return given().contentType("application/x-ndjson").body(ndjson.getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/api/imports/" + id + "/lines?first=1").then();
    }

    private static void assertNoTable(String table) {
        assertFalse(TestDb.tableExists(table), "no registry row for " + table);
        assertEquals(0, TestDb.scalar("select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                + " where n.nspname = 'docshift_data' and obj_description(c.oid, 'pg_class') = 'Docshift table " + table + "'"));
    }
}
