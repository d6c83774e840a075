package io.docshift.contract;

import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import static io.docshift.support.Api.docs;
import static io.docshift.support.Api.insert;
import static io.docshift.support.Api.problem;
import static io.restassured.RestAssured.given;

/** Every refusal the HTTP layer makes is a problem too: unsupported methods, unknown paths, too long request lines and headers. */
@QuarkusTest
class HttpProblemsTest {

    @Test
    void methodsPathsRequestLinesAndHeadersAreRefusedAsProblems() {
        problem(given().request("PROPFIND", "/api/tables").then(), 405, null);
        problem(given().delete("/api/tables").then(), 405, null);
        problem(given().get("/api/nothing/here").then(), 404, null);
        problem(given().get("/no/such/page").then(), 404, null);
        problem(given().urlEncodingEnabled(false).get("/api/tables?x=" + "a".repeat(9_000)).then(), 414, "uri");
        problem(given().header("X-Large", "b".repeat(20_000)).get("/api/tables").then(), 431, "X-Large");
        given().header("X-Fine", "c".repeat(4_000)).get("/api/tables").then().statusCode(200);
    }

    @Test
    void aClientThatAcceptsOnlyProblemsIsServedEverywhere() {
        String table = TestDb.freshTable("accept");
        String id = insert(table, "{\"a\":1}");
        String problemOnly = "application/problem+json";
        given().accept(problemOnly).get(docs(table) + "/" + id).then().statusCode(200).body("a", org.hamcrest.Matchers.equalTo(1));
        given().accept(problemOnly).delete(docs(table) + "/" + id).then().statusCode(204);
        given().get(docs(table) + "/" + id).then().statusCode(404);
        problem(given().accept(problemOnly).delete(docs(table) + "/" + id).then(), 404, null);
        problem(given().accept(problemOnly).delete("/api/migrations/runs/987654321/backups").then(), 404, null);
        // a client that accepts neither is still refused
        problem(given().accept("text/csv").get(docs(table)).then(), 406, null);
    }
}
