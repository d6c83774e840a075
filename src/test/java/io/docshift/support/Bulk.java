package io.docshift.support;

import io.restassured.http.ContentType;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import static io.docshift.support.Api.docs;
import static io.restassured.RestAssured.given;

/** Loads many documents through the batch endpoint. */
public final class Bulk {

    private Bulk() {
    }

    /** Inserts {@code count} documents, the i-th being {@code doc.apply(i)}; returns their ids in order. */
    public static List<String> insert(String table, int count, IntFunction<String> doc) {
        List<String> ids = new ArrayList<>(count);
        for (int start = 0; start < count; start += 10_000) {
            StringBuilder body = new StringBuilder("[");
            for (int i = start; i < Math.min(count, start + 10_000); i++) {
                body.append(i == start ? "" : ",").append(doc.apply(i));
            }
            ids.addAll(given().contentType(ContentType.JSON).body(body.append(']').toString())
                    .post(docs(table) + "/batch").then().statusCode(201).extract().<List<String>>path("ids"));
        }
        return ids;
    }
}
