package io.docshift.document;

import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.docshift.support.Api.docs;
import static io.docshift.support.Api.insert;
import static io.docshift.support.Api.problem;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@QuarkusTest
class PaginationTest {

    static final int DOCUMENTS = 2_500;

    @Test
    void pagesSeeEachOriginalDocumentOnceInOrderWhileOthersAreInsertedAndDeleted() {
        String table = TestDb.freshTable("paged");
        List<String> originals = insertOriginals(table);
        walk(table, originals, true);
        List<String> descending = new ArrayList<>(originals);
        java.util.Collections.reverse(descending);
        walk(table, descending, false);
    }

    /** Pages 100 at a time; between pages inserts two documents and deletes one inserted earlier. */
    private static void walk(String table, List<String> expected, boolean ascending) {
        Set<String> originalIds = new HashSet<>(expected);
        List<String> seen = new ArrayList<>();
        List<String> extras = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        boolean done = false;
        while (!done) {
            var request = given().queryParam("limit", 100).queryParam("order", ascending ? "asc" : "desc");
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get(docs(table)).then().statusCode(200).extract().jsonPath();
            List<Map<String, Object>> docs = page.getList("page");
            assertTrue(docs.size() <= 100);
            for (Map<String, Object> d : docs) {
                String id = (String) d.get("_id");
                if (originalIds.contains(id)) {
                    seen.add(id);
                }
            }
            cursor = page.getString("continueCursor");
            done = page.getBoolean("isDone");
            // churn between pages
            extras.add(insert(table, "{\"extra\":true}"));
            extras.add(insert(table, "{\"extra\":true}"));
            given().delete(docs(table) + "/" + extras.remove(0)).then().statusCode(204);
            pages++;
        }
        assertEquals(expected, seen, "each original document exactly once, in order");
        assertTrue(pages >= DOCUMENTS / 100, "walked " + pages + " pages");
        for (String extra : extras) {
            given().delete(docs(table) + "/" + extra).then().statusCode(204);
        }
    }

    private static List<String> insertOriginals(String table) {
        List<String> ids = new ArrayList<>();
        for (int batch = 0; batch < DOCUMENTS / 500; batch++) {
            StringBuilder body = new StringBuilder("[");
            for (int i = 0; i < 500; i++) {
                body.append(i == 0 ? "" : ",").append("{\"n\":").append(batch * 500 + i).append('}');
            }
            ids.addAll(given().contentType(ContentType.JSON).body(body.append(']').toString())
                    .post(docs(table) + "/batch").then().statusCode(201).extract().<List<String>>path("ids"));
        }
        // creation order is id order, and the order the API pages in
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort(null);
        assertEquals(sorted, ids);
        return ids;
    }

    @Test
    void theLastPageSaysItIsDoneAndItsCursorContinuesAfterIt() {
        String table = TestDb.freshTable("small");
        for (int i = 0; i < 3; i++) {
            insert(table, "{\"i\":" + i + "}");
        }
        JsonPath page = given().get(docs(table)).then().statusCode(200).extract().jsonPath();
        assertEquals(3, page.getList("page").size());
        assertTrue(page.getBoolean("isDone"));
        assertEquals(0, page.getInt("page[0].i"));
        // a done page's cursor continues after the last document: a new one shows up there
        String later = insert(table, "{\"i\":3}");
        JsonPath next = given().queryParam("cursor", page.getString("continueCursor")).get(docs(table)).then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(later), next.getList("page._id"));
    }

    @Test
    void aCursorIsBoundToItsTableAndOrder() {
        String one = TestDb.freshTable("cur1");
        String two = TestDb.freshTable("cur2");
        insert(one, "{\"a\":1}");
        insert(one, "{\"a\":2}");
        insert(two, "{\"a\":1}");
        String cursor = given().queryParam("limit", 1).get(docs(one)).then().extract().path("continueCursor");
        problem(given().queryParam("cursor", cursor).get(docs(two)).then(), 400, "cursor");
        problem(given().queryParam("cursor", cursor).queryParam("order", "desc").get(docs(one)).then(), 400, "order");
        char[] tampered = cursor.toCharArray();
        tampered[5] = tampered[5] == 'A' ? 'B' : 'A';
        problem(given().queryParam("cursor", new String(tampered)).get(docs(one)).then(), 400, "cursor");
        given().queryParam("cursor", cursor).get(docs(one)).then().statusCode(200);
    }
}
