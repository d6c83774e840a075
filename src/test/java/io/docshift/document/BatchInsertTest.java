package io.docshift.document;

import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.docshift.support.Api.docs;
import static io.docshift.support.Api.problem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

@QuarkusTest
class BatchInsertTest {

    @Test
    void aBatchReturnsIdsInInputOrder() {
        String table = TestDb.freshTable("batch");
        List<String> ids = given().contentType(ContentType.JSON).body("[{\"n\":0},{\"n\":1},{\"n\":2}]")
                .post(docs(table) + "/batch").then().statusCode(201).extract().path("ids");
        assertEquals(3, ids.size());
        for (int i = 0; i < 3; i++) {
            given().get(docs(table) + "/" + ids.get(i)).then().statusCode(200).body("n", equalTo(i));
        }
    }

    @Test
    void oneInvalidDocumentAmongAThousandStoresNone() {
        String table = TestDb.freshTable("allornothing");
        given().contentType(ContentType.JSON).body("[{\"seed\":1}]").post(docs(table) + "/batch").then().statusCode(201);
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < 1000; i++) {
            body.append(i == 0 ? "" : ",").append(i == 737 ? "{\"_bad\":1}" : "{\"n\":" + i + "}");
        }
        problem(given().contentType(ContentType.JSON).body(body.append(']').toString())
                .post(docs(table) + "/batch").then(), 400, "/737/_bad");
        assertEquals(1, TestDb.count(table));
    }

    @Test
    void batchShapeRulesAre400() {
        String table = TestDb.freshTable("batchshape");
        problem(given().contentType(ContentType.JSON).body("[]").post(docs(table) + "/batch").then(), 400, "/");
        problem(given().contentType(ContentType.JSON).body("{\"a\":1}").post(docs(table) + "/batch").then(), 400, "/");
        problem(given().contentType(ContentType.JSON).body("[{\"a\":1}, 2]").post(docs(table) + "/batch").then(), 400, "/1");
        problem(given().contentType(ContentType.JSON).body("[" + "{},".repeat(10_000) + "{}]").post(docs(table) + "/batch").then(), 400, "/10000");
        assertEquals(false, TestDb.tableExists(table));
    }

    @Test
    void tenThousandDocumentsFitInOneBatch() {
        String table = TestDb.freshTable("bigbatch");
        List<String> ids = given().contentType(ContentType.JSON).body("[" + "{\"x\":1},".repeat(9_999) + "{\"x\":1}]")
                .post(docs(table) + "/batch").then().statusCode(201).extract().path("ids");
        assertEquals(10_000, ids.size());
        assertEquals(10_000, TestDb.count(table));
    }
}
