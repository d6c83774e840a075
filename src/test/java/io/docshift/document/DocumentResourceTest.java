package io.docshift.document;

import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.docshift.support.Api.docs;
import static io.docshift.support.Api.insert;
import static io.docshift.support.Api.problem;
import static io.docshift.support.Management.management;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class DocumentResourceTest {

    @Test
    void insertCreatesTheTableAndReturnsTheStoredDocumentWithSystemFields() {
        String table = TestDb.freshTable("customers");
        long before = System.currentTimeMillis();
        var response = given().contentType(ContentType.JSON).body("{\"orgId\":\"org1\",\"name\":\"Ada\",\"tags\":[1,2.5,\"x\"]}")
                .post(docs(table))
                .then().statusCode(201)
                .body("_id", matchesPattern("[0-9a-hjkmnp-tv-z]{26}"))
                .body("_creationTime", allOf(greaterThanOrEqualTo(before), lessThanOrEqualTo(System.currentTimeMillis())))
                .body("name", equalTo("Ada"))
                .body("tags", hasSize(3))
                .extract();
        String id = response.path("_id");
        assertTrue(response.header("Location").endsWith(docs(table) + "/" + id), response.header("Location"));
        assertTrue(TestDb.tableExists(table));
        given().get(docs(table) + "/" + id).then().statusCode(200)
                .body("_id", equalTo(id)).body("orgId", equalTo("org1")).body("tags[1]", equalTo(2.5f));
    }

    @Test
    void idsIncreaseWithCreationTime() {
        String table = TestDb.freshTable("ordered");
        String a = insert(table, "{\"n\":1}");
        String b = insert(table, "{\"n\":2}");
        String c = insert(table, "{\"n\":3}");
        assertTrue(a.compareTo(b) < 0 && b.compareTo(c) < 0, a + " < " + b + " < " + c);
    }

    @Test
    void getOfAMissingDocumentOrTableIs404() {
        String table = TestDb.freshTable("missing");
        String id = insert(table, "{\"a\":1}");
        given().delete(docs(table) + "/" + id).then().statusCode(204);
        problem(given().get(docs(table) + "/" + id).then(), 404, null);
        problem(given().get(docs(TestDb.freshTable("never")) + "/" + id).then(), 404, null);
    }

    @Test
    void anIdOfAnotherTableIsNotFoundInThisOne() {
        String one = TestDb.freshTable("one");
        String two = TestDb.freshTable("two");
        String id = insert(one, "{\"a\":1}");
        insert(two, "{\"a\":2}");
        problem(given().get(docs(two) + "/" + id).then(), 404, null);
    }

    @Test
    void malformedIdsAre400() {
        String table = TestDb.freshTable("ids");
        insert(table, "{\"a\":1}");
        for (String bad : List.of("abc", "ZZZZZZZZZZZZZZZZZZZZZZZZZZ", "zzzzzzzzzzzzzzzzzzzzzzzzzz", "1' or '1'='1")) {
            problem(given().get(docs(table) + "/" + bad).then(), 400, "id");
        }
    }

    @Test
    void patchWithNullRemovesTheFieldAndMergesObjects() {
        String table = TestDb.freshTable("patch");
        String id = insert(table, "{\"name\":\"Ada\",\"legacy\":true,\"address\":{\"city\":\"Paris\",\"zip\":\"75001\"}}");
        given().contentType("application/merge-patch+json")
                .body("{\"legacy\":null,\"status\":\"active\",\"address\":{\"zip\":null,\"country\":\"FR\"}}")
                .patch(docs(table) + "/" + id)
                .then().statusCode(200)
                .body("_id", equalTo(id))
                .body("$", not(hasKey("legacy")))
                .body("status", equalTo("active"))
                .body("name", equalTo("Ada"))
                .body("address.city", equalTo("Paris"))
                .body("address", not(hasKey("zip")))
                .body("address.country", equalTo("FR"));
        given().contentType(ContentType.JSON).body("{\"name\":\"Grace\"}")
                .patch(docs(table) + "/" + id).then().statusCode(200).body("name", equalTo("Grace"));
        given().get(docs(table) + "/" + id).then().body("name", equalTo("Grace")).body("status", equalTo("active"));
    }

    @Test
    void patchOfAMissingDocumentIs404() {
        String table = TestDb.freshTable("patchmissing");
        String id = insert(table, "{\"a\":1}");
        given().delete(docs(table) + "/" + id).then().statusCode(204);
        problem(given().contentType(ContentType.JSON).body("{\"a\":2}").patch(docs(table) + "/" + id).then(), 404, null);
    }

    @Test
    void putReplacesTheBodyAndKeepsSystemFields() {
        String table = TestDb.freshTable("put");
        String id = insert(table, "{\"name\":\"Ada\",\"old\":1}");
        long created = given().get(docs(table) + "/" + id).then().extract().path("_creationTime");
        given().contentType(ContentType.JSON).body("{\"fullName\":\"Ada Lovelace\"}")
                .put(docs(table) + "/" + id)
                .then().statusCode(200)
                .body("_id", equalTo(id))
                .body("_creationTime", equalTo(created))
                .body("fullName", equalTo("Ada Lovelace"))
                .body("$", not(hasKey("old")))
                .body("$", not(hasKey("name")));
        problem(given().contentType(ContentType.JSON).body("{\"_id\":\"x\"}").put(docs(table) + "/" + id).then(), 400, "/_id");
        given().get(docs(table) + "/" + id).then().body("fullName", equalTo("Ada Lovelace"));
    }

    @Test
    void deleteRemovesTheDocumentAndASecondDeleteIs404() {
        String table = TestDb.freshTable("del");
        String id = insert(table, "{\"a\":1}");
        given().delete(docs(table) + "/" + id).then().statusCode(204);
        assertEquals(0, TestDb.count(table));
        problem(given().delete(docs(table) + "/" + id).then(), 404, null);
    }

    @Test
    void listingAnUnknownTableIsAnEmptyDonePage() {
        given().get(docs(TestDb.freshTable("empty"))).then().statusCode(200)
                .body("page", hasSize(0)).body("isDone", equalTo(true));
    }

    @Test
    void tablesAreListedWithTheirDocumentCounts() {
        String table = TestDb.freshTable("listed");
        given().contentType(ContentType.JSON).body("[{\"a\":1},{\"a\":2},{\"a\":3}]").post(docs(table) + "/batch").then().statusCode(201);
        given().get("/api/tables").then().statusCode(200)
                .body("find { it.name == '" + table + "' }.documents", equalTo(3));
    }

    @Test
    void writesAreCountedInMetrics() {
        String table = TestDb.freshTable("metered");
        String id = insert(table, "{\"a\":1}");
        given().contentType(ContentType.JSON).body("{\"a\":2}").patch(docs(table) + "/" + id).then().statusCode(200);
        management().get("/q/metrics").then().statusCode(200)
                .body(containsString("docshift_documents_written_total{operation=\"insert\",table=\"" + table + "\"} 1.0"))
                .body(containsString("docshift_documents_written_total{operation=\"patch\",table=\"" + table + "\"} 1.0"))
                .body(containsString("http_server_requests_seconds"));
    }

    @Test
    void unknownPathsAreProblems() {
        problem(given().get("/api/nothing-here").then(), 404, null);
    }

    @Test
    void openApiDocumentsEveryEndpointWithItsErrorStatuses() {
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body("paths.'/api/tables/{table}/documents'.post.responses", hasKey("413"))
                .body("paths.'/api/tables/{table}/documents/batch'.post.responses", hasKey("400"))
                .body("paths.'/api/tables/{table}/documents/{id}'.get.responses", hasKey("404"))
                .body("paths.'/api/tables/{table}/documents/{id}'.patch.responses", hasKey("404"))
                .body("paths.'/api/tables/{table}/documents/{id}'.put.responses", hasKey("400"))
                .body("paths.'/api/tables/{table}/documents/{id}'.delete.responses", hasKey("204"))
                .body("paths.'/api/tables/{table}/documents'.get.responses", hasKey("400"))
                .body("paths.'/api/tables'.get.responses", hasKey("200"));
    }
}
