package io.docshift.support;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.notNullValue;

/** Small rest-assured helpers shared by the resource tests. */
public final class Api {

    private Api() {
    }

    public static String docs(String table) {
        return "/api/tables/" + table + "/documents";
    }

    public static String insert(String table, String json) {
        return given().contentType(ContentType.JSON).body(json)
                .post(docs(table))
                .then().statusCode(201)
                .extract().path("_id");
    }

    /** Asserts a problem+json response with the given status and, when given, a violation at {@code path}. */
    public static ValidatableResponse problem(ValidatableResponse response, int status, String path) {
        response.statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("type", notNullValue())
                .body("title", notNullValue())
                .body("detail", notNullValue());
        if (path != null) {
            response.body("$", hasKey("violations")).body("violations[0].path", equalTo(path));
        }
        return response;
    }
}
