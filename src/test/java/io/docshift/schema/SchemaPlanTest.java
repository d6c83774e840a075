package io.docshift.schema;

import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.docshift.support.Api.insert;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The plan's change rows say what a push would really do: which additions are safe, and which index each row is about. */
@QuarkusTest
class SchemaPlanTest {

    @Test
    void aNewTableIsSafeAndATableWithDocumentsIsCheckedAndEveryIndexRowNamesItsIndex() {
        String fresh = TestDb.freshTable("projects");
        String existing = TestDb.freshTable("customers");
        insert(existing, "{\"name\":\"Ada\"}");
        JsonPath plan = given().contentType(ContentType.JSON).body("{\"tables\":{"
                        + "\"" + fresh + "\":{\"document\":{\"name\":{\"type\":\"string\"}},\"indexes\":[{\"name\":\"by_name\",\"fields\":[\"name\"]}]},"
                        + "\"" + existing + "\":{\"document\":{\"name\":{\"type\":\"string\"}}}}}")
                .post("/api/schema/plan").then().statusCode(200).extract().jsonPath();

        Map<String, Object> added = plan.getMap("changes.find { it.kind == 'table' && it.table == '" + fresh + "' }");
        assertEquals("safe", added.get("safety"), "a table that does not exist yet has no documents to break: " + added);
        Map<String, Object> checked = plan.getMap("changes.find { it.kind == 'table' && it.table == '" + existing + "' }");
        assertEquals("breaking", checked.get("safety"), "its documents may not fit: " + checked);
        Map<String, Object> index = plan.getMap("changes.find { it.kind == 'index' && it.table == '" + fresh + "' }");
        assertEquals("by_name", index.get("index"));
        assertEquals("added", index.get("change"));
    }
}
