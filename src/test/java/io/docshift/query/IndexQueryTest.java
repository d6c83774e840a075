package io.docshift.query;

import io.docshift.support.Bulk;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.docshift.support.Api.problem;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Index queries over the seed's projects table, 50,000 documents. */
@QuarkusTest
class IndexQueryTest {

    static final int DOCUMENTS = 50_000;
    static String customers;
    static String projects;
    static List<String> customerIds;

    @Inject
    IndexQueryService queries;

    @BeforeEach
    void load() throws Exception {
        if (projects != null) {
            return;
        }
        customers = TestDb.freshTable("customers");
        projects = TestDb.freshTable("projects");
        String schema = "{\"tables\":{"
                + "\"" + customers + "\":{\"document\":{\"name\":{\"type\":\"string\"}}},"
                + "\"" + projects + "\":{\"document\":{"
                + "\"customerId\":{\"type\":\"id\",\"table\":\"" + customers + "\"},"
                + "\"name\":{\"type\":\"string\"},"
                + "\"status\":{\"type\":\"union\",\"members\":[{\"type\":\"literal\",\"value\":\"active\"},{\"type\":\"literal\",\"value\":\"completed\"}]},"
                + "\"startDate\":{\"type\":\"number\"}},"
                + "\"indexes\":[{\"name\":\"by_customer\",\"fields\":[\"customerId\"]},{\"name\":\"by_customer_status\",\"fields\":[\"customerId\",\"status\"]},"
                + "{\"name\":\"by_status_start\",\"fields\":[\"status\",\"startDate\"]}]}}}";
        given().contentType(ContentType.JSON).body(schema).put("/api/schema").then().statusCode(200);
        customerIds = Bulk.insert(customers, 50, i -> "{\"name\":\"Customer " + i + "\"}");
        Bulk.insert(projects, DOCUMENTS, i -> "{\"customerId\":\"" + customerIds.get(i % 50) + "\",\"name\":\"P" + i
                + "\",\"status\":\"" + (i % 3 == 0 ? "completed" : "active") + "\",\"startDate\":" + (i % 1000) + "}");
        try (Connection c = TestDb.connect()) {
            c.createStatement().execute("analyze docshift_data.doc_" + tableNumber(c, projects));
        }
        awaitReady();
    }

    private static void awaitReady() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            List<String> states = given().get("/api/schema").then().extract()
                    .path("indexes.findAll { it.table == '" + projects + "' }.state");
            if (states.stream().allMatch("ready"::equals)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("indexes not ready within 60 s");
    }

    private static int tableNumber(Connection c, String table) throws Exception {
        try (PreparedStatement p = c.prepareStatement("select number from docshift.doc_table where name = ?")) {
            p.setString(1, table);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    @Test
    void aQueryOnByCustomerStatusIsAnsweredFromTheIndex() throws Exception {
        String customer = customerIds.get(7);
        QueryRequest q = QueryRequest.from(new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"index\":\"by_customer_status\",\"eq\":{\"customerId\":\"" + customer + "\",\"status\":\"active\"},\"limit\":100}"));
        IndexQuerySql.Built built = queries.plan(projects, q);
        StringBuilder plan = new StringBuilder();
        try (Connection c = TestDb.connect(); PreparedStatement p = c.prepareStatement("explain " + built.sql())) {
            for (int i = 0; i < built.params().size(); i++) {
                Object v = built.params().get(i);
                if (v instanceof String s) {
                    p.setString(i + 1, s);
                } else {
                    p.setObject(i + 1, v);
                }
            }
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    plan.append(r.getString(1)).append('\n');
                }
            }
        }
        assertTrue(plan.toString().contains("Index Scan") || plan.toString().contains("Index Only Scan"), plan.toString());
        assertFalse(plan.toString().contains("Seq Scan"), plan.toString());
        assertFalse(plan.toString().contains("Sort"), "the index gives the order: " + plan);
    }

    @Test
    void pagesThroughEveryMatchingDocumentExactlyOnceInIndexOrder() {
        String customer = customerIds.get(3);
        int expected = 0;
        for (int i = 0; i < DOCUMENTS; i++) {
            if (i % 50 == 3 && i % 3 != 0) {
                expected++;
            }
        }
        for (boolean asc : new boolean[]{true, false}) {
            Set<String> seen = new HashSet<>();
            List<String> order = new ArrayList<>();
            String cursor = null;
            boolean done = false;
            while (!done) {
                String body = "{\"index\":\"by_customer_status\",\"eq\":{\"customerId\":\"" + customer + "\",\"status\":\"active\"},"
                        + "\"order\":\"" + (asc ? "asc" : "desc") + "\",\"limit\":97" + (cursor == null ? "" : ",\"cursor\":\"" + cursor + "\"") + "}";
                JsonPath page = given().contentType(ContentType.JSON).body(body).post("/api/tables/" + projects + "/query")
                        .then().statusCode(200).extract().jsonPath();
                for (Map<String, Object> d : page.<Map<String, Object>>getList("page")) {
                    assertEquals(customer, d.get("customerId"));
                    assertEquals("active", d.get("status"));
                    assertTrue(seen.add((String) d.get("_id")), "seen twice: " + d.get("_id"));
                    order.add((String) d.get("_id"));
                }
                cursor = page.getString("continueCursor");
                done = page.getBoolean("isDone");
            }
            assertEquals(expected, seen.size());
            List<String> sorted = new ArrayList<>(order);
            sorted.sort(asc ? null : java.util.Comparator.reverseOrder());
            assertEquals(sorted, order, "equal keys are ordered by creation time");
        }
    }

    @Test
    void aRangeOnTheNextFieldComparesNumbersAsNumbers() {
        // 9 < startDate <= 100: as strings, "100" < "9" and this range would be empty
        List<Integer> starts = new ArrayList<>();
        String cursor = null;
        boolean done = false;
        while (!done) {
            JsonPath page = given().contentType(ContentType.JSON)
                    .body("{\"index\":\"by_status_start\",\"eq\":{\"status\":\"completed\"},\"range\":{\"field\":\"startDate\",\"gt\":9,\"lte\":100},"
                            + "\"limit\":1000" + (cursor == null ? "" : ",\"cursor\":\"" + cursor + "\"") + "}")
                    .post("/api/tables/" + projects + "/query").then().statusCode(200).extract().jsonPath();
            starts.addAll(page.getList("page.startDate", Integer.class));
            cursor = page.getString("continueCursor");
            done = page.getBoolean("isDone");
        }
        int expected = 0;
        for (int i = 0; i < DOCUMENTS; i++) {
            if (i % 3 == 0 && i % 1000 > 9 && i % 1000 <= 100) {
                expected++;
            }
        }
        assertEquals(expected, starts.size());
        List<Integer> sorted = new ArrayList<>(starts);
        sorted.sort(null);
        assertEquals(sorted, starts, "ordered by startDate, numerically");
        assertTrue(starts.get(0) == 10 && starts.get(starts.size() - 1) == 100);
    }

    @Test
    void rangesMustFollowTheIndexFieldOrder() {
        // by_customer has one field: equality on it, no range possible on a further field
        problem(given().contentType(ContentType.JSON)
                .body("{\"index\":\"by_customer\",\"eq\":{\"customerId\":\"" + customerIds.get(0) + "\"},\"range\":{\"field\":\"startDate\",\"gte\":1}}")
                .post("/api/tables/" + projects + "/query").then(), 400, "/range/field");
        // a range on the first field of by_customer: ids compare as strings
        JsonPath page = given().contentType(ContentType.JSON)
                .body("{\"index\":\"by_customer\",\"range\":{\"field\":\"customerId\",\"gte\":\"" + customerIds.get(49) + "\"},\"limit\":1000}")
                .post("/api/tables/" + projects + "/query").then().statusCode(200).extract().jsonPath();
        assertEquals(1000, page.getList("page").size());
        assertTrue(page.<String>getList("page.customerId").stream().allMatch(id -> id.compareTo(customerIds.get(49)) >= 0));
    }

    @Test
    void byCreationTimeRangesOnCreationTime() {
        JsonPath first = given().contentType(ContentType.JSON).body("{\"index\":\"by_creation_time\",\"limit\":1}")
                .post("/api/tables/" + projects + "/query").then().statusCode(200).extract().jsonPath();
        long t = first.getLong("page[0]._creationTime");
        JsonPath none = given().contentType(ContentType.JSON)
                .body("{\"index\":\"by_creation_time\",\"range\":{\"field\":\"_creationTime\",\"lt\":" + t + "}}")
                .post("/api/tables/" + projects + "/query").then().statusCode(200).extract().jsonPath();
        assertEquals(0, none.getList("page").size());
        given().contentType(ContentType.JSON)
                .body("{\"index\":\"by_creation_time\",\"range\":{\"field\":\"_creationTime\",\"gte\":" + t + "},\"limit\":5}")
                .post("/api/tables/" + projects + "/query").then().statusCode(200).body("page[0]._id", equalTo(first.getString("page[0]._id")));
    }

    @Test
    void badQueriesAre400NamingTheProblem() {
        String url = "/api/tables/" + projects + "/query";
        problem(given().contentType(ContentType.JSON).body("{\"index\":\"by_nothing\"}").post(url).then(), 400, "/index");
        problem(given().contentType(ContentType.JSON).body("{\"index\":\"by_customer_status\",\"eq\":{\"status\":\"active\"}}").post(url).then(), 400, "/eq");
        problem(given().contentType(ContentType.JSON).body("{\"index\":\"by_customer_status\",\"range\":{\"field\":\"status\",\"gte\":\"a\"}}").post(url).then(), 400, "/range/field");
        problem(given().contentType(ContentType.JSON).body("{\"index\":\"by_customer\",\"limit\":0}").post(url).then(), 400, "/limit");
        problem(given().contentType(ContentType.JSON).body("{\"index\":\"by_customer\",\"order\":\"up\"}").post(url).then(), 400, "/order");
        problem(given().contentType(ContentType.JSON).body("{\"index\":\"by_customer\",\"where\":1}").post(url).then(), 400, "/where");
        problem(given().contentType(ContentType.JSON).body("{\"index\":\"by_customer\",\"cursor\":\"forged\"}").post(url).then(), 400, "/cursor");
        String cursor = given().contentType(ContentType.JSON).body("{\"index\":\"by_customer\",\"limit\":1}").post(url).then().extract().path("continueCursor");
        problem(given().contentType(ContentType.JSON).body("{\"index\":\"by_customer_status\",\"limit\":1,\"cursor\":\"" + cursor + "\"}").post(url).then(), 400, "/cursor");
        problem(given().contentType(ContentType.JSON).body("{\"index\":\"by_customer\"}").post("/api/tables/" + TestDb.freshTable("nope") + "/query").then(), 404, null);
    }

    @Test
    void aValueNoDocumentCanHoldIs400NamingItsField() {
        String url = "/api/tables/" + projects + "/query";
        problem(given().contentType(ContentType.JSON).body("{\"index\":\"by_customer\",\"eq\":{\"customerId\":\"nope\"}}").post(url).then(), 400, "/eq/customerId")
                .body("violations[0].message", equalTo("expected id of table " + customers + ", found string \"nope\""));
        String aProject = given().contentType(ContentType.JSON).body("{\"index\":\"by_customer\",\"limit\":1}").post(url).then().statusCode(200)
                .extract().path("page[0]._id");
        problem(given().contentType(ContentType.JSON).body("{\"index\":\"by_customer\",\"eq\":{\"customerId\":\"" + aProject + "\"}}").post(url).then(), 400, "/eq/customerId")
                .body("violations[0].message", equalTo("expected id of table " + customers + ", found an id of another table"));
        problem(given().contentType(ContentType.JSON).body("{\"index\":\"by_customer_status\",\"eq\":{\"customerId\":\"" + customerIds.get(0)
                + "\",\"status\":\"archived\"}}").post(url).then(), 400, "/eq/status");
        problem(given().contentType(ContentType.JSON).body("{\"index\":\"by_status_start\",\"eq\":{\"status\":\"active\",\"startDate\":\"5\"}}").post(url).then(),
                400, "/eq/startDate");
        given().contentType(ContentType.JSON).body("{\"index\":\"by_status_start\",\"eq\":{\"status\":\"active\",\"startDate\":5},\"limit\":1}").post(url)
                .then().statusCode(200).body("page.size()", equalTo(1));
    }
}
