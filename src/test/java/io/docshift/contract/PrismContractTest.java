package io.docshift.contract;

import com.fasterxml.jackson.databind.JsonNode;
import io.docshift.support.PrismProxy;
import io.docshift.support.PrismProxy.Exchange;
import io.docshift.support.RawClients;
import io.docshift.support.Tools;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /q/openapi} is what the service does, as a tool no one here wrote sees it: Stoplight Prism's validating
 * proxy, in front of the running service, checks every request and response of the README walkthrough, the guides'
 * requests (schemas, index queries, migrations, transitions, export and import) and the documented errors of
 * docs/reference/http-api.md against the contract. Any request the contract refuses or response it does not
 * describe fails the test; requests that break a bound the contract declares must be refused by Prism and, sent
 * straight to the service, by the service too.
 */
@QuarkusTest
class PrismContractTest {

    static final String JSON = "application/json";
    static final Set<String> ENDED = Set.of("completed", "failed", "cancelled");

    @TestHTTPResource("/")
    URI service;

    @Test
    void theWalkthroughTheGuidesAndTheDocumentedErrorsPassPrismsValidatingProxy() throws Exception {
        Tools.require("PrismContractTest", new Tools.Tool("node", "nodejs"), new Tools.Tool("npm", "npm"));
        String spec = given().accept(JSON).get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        try (PrismProxy prism = PrismProxy.start(spec, service)) {
            String n = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);
            String customers = "customers" + n;
            String projects = "projects" + n;

            String ada = readme(prism, customers);
            schemasAndIndexes(prism, customers, projects, n);
            migrations(prism, customers, n);
            transitions(prism, customers, n);
            exportAndImport(prism, customers, n);
            documentedErrors(prism, customers, ada, n);
            boundsTheContractDeclares(prism, customers);

            System.out.println("[docshift tests] PrismContractTest: " + prism.exchanges() + " requests through prism proxy --errors ("
                    + PrismProxy.PACKAGE + "@" + PrismProxy.VERSION + "), " + prism.violations().size() + " violations");
            assertEquals(List.of(), prism.violations(), "Prism found violations of /q/openapi (" + prism.exchanges() + " requests)");
        }
    }

    /** README.md's walkthrough; returns the id of a document that stays. */
    private static String readme(PrismProxy prism, String table) throws Exception {
        String docs = "/api/tables/" + table + "/documents";
        String id = expect(prism.send("POST", docs, JSON, "{\"orgId\": \"org1\", \"name\": \"Ada Lovelace\"}"), 201).json().path("_id").asText();
        Exchange batch = expect(prism.send("POST", docs + "/batch", JSON, "[{\"orgId\": \"org1\", \"name\": \"Grace\"}, {\"orgId\": \"org2\", \"name\": \"Edsger\"}]"), 201);
        assertEquals(2, batch.json().path("ids").size());
        expect(prism.send("POST", docs, JSON, "{\"orgId\": \"org1\", \"name\": \"Barbara\"}", "Idempotency-Key", "c0ffee-" + table), 201);
        expect(prism.send("POST", docs, JSON, "{\"orgId\": \"org1\", \"name\": \"Barbara\"}", "Idempotency-Key", "c0ffee-" + table), 201);
        Exchange got = expect(prism.send("GET", docs + "/" + id, null, null), 200);
        assertEquals("Ada Lovelace", got.json().path("name").asText());
        expect(prism.send("PATCH", docs + "/" + id, "application/merge-patch+json", "{\"status\": \"active\", \"orgId\": null}"), 200);
        expect(prism.send("PUT", docs + "/" + id, JSON, "{\"orgId\": \"org1\", \"name\": \"Ada King\", \"status\": \"active\"}"), 200);
        String etag = given().get(docs + "/" + id).then().statusCode(200).extract().header("ETag");
        expect(prism.send("GET", docs + "/" + id, null, null, "If-None-Match", etag), 304);
        Exchange page = expect(prism.send("GET", docs + "?limit=2&order=asc", null, null), 200);
        int pages = 1;
        while (!page.json().path("isDone").asBoolean()) {
            page = expect(prism.send("GET", docs + "?limit=2&cursor=" + page.json().path("continueCursor").asText(), null, null), 200);
            assertTrue(++pages < 10, "the pages end");
        }
        expect(prism.send("GET", "/api/tables", null, null), 200);
        String gone = expect(prism.send("POST", docs, JSON, "{\"orgId\": \"org3\", \"name\": \"Temporary\"}"), 201).json().path("_id").asText();
        expect(prism.send("DELETE", docs + "/" + gone, null, null), 204);
        expect(prism.send("GET", docs + "/" + gone, null, null), 404);
        prism.sendRefused("POST", docs, JSON, "{\"_id\": \"mine\"}");
        given().contentType(JSON).body("{\"_id\": \"mine\"}").post(docs).then().statusCode(400).body("violations[0].path", org.hamcrest.Matchers.equalTo("/_id"));
        expect(prism.send("GET", "/api/workers", null, null), 200);
        return id;
    }

    /** docs/guides/schemas-and-indexes.md: plan, push (JSON and YAML), the typed contract, an index query. */
    private static void schemasAndIndexes(PrismProxy prism, String customers, String projects, String n) throws Exception {
        String schema = schema(customers, projects);
        expect(prism.send("POST", "/api/schema/plan", JSON, schema), 200);
        int version = expect(prism.send("PUT", "/api/schema", JSON, schema), 200).json().path("version").asInt();
        String yaml = "tables:\n  " + customers + ":\n    document:\n      orgId: {type: string}\n      name: {type: string}\n"
                + "      status: {type: string, optional: true}\n      email: {type: string, optional: true}\n      tier: {type: string, optional: true}\n"
                + "  " + projects + ":\n    document:\n      customerId: {type: id, table: " + customers + "}\n      name: {type: string}\n"
                + "      status: {type: union, members: [{type: literal, value: active}, {type: literal, value: completed}]}\n"
                + "      startDate: {type: number}\n      endDate: {type: number, optional: true}\n"
                + "    indexes:\n      - {name: by_customer, fields: [customerId]}\n      - {name: by_customer_status, fields: [customerId, status]}\n"
                + "schemaValidation: true\n";
        assertEquals(version, expect(prism.send("PUT", "/api/schema", "application/yaml", yaml), 200).json().path("version").asInt(), "the same schema in YAML");
        String customer = expect(prism.send("POST", "/api/tables/" + customers + "/documents", JSON, "{\"orgId\": \"org9\", \"name\": \"Projects' owner\"}"), 201)
                .json().path("_id").asText();
        for (int i = 0; i < 3; i++) {
            expect(prism.send("POST", "/api/tables/" + projects + "/documents", JSON, "{\"customerId\": \"" + customer + "\", \"name\": \"p" + i
                    + "\", \"status\": \"active\", \"startDate\": " + (10 * i) + "}"), 201);
        }
        RawClients.await("the indexes of " + projects + " are ready", Duration.ofSeconds(60), () -> given().get("/api/schema").then().extract().jsonPath()
                .getList("indexes.findAll { it.table == '" + projects + "' }.state").stream().allMatch("ready"::equals));
        expect(prism.send("GET", "/api/schema", null, null), 200);
        String query = "{\"index\": \"by_customer_status\", \"eq\": {\"customerId\": \"" + customer
                + "\"}, \"range\": {\"field\": \"status\", \"gte\": \"active\", \"lt\": \"b\"}, \"order\": \"asc\", \"limit\": 2, \"cursor\": ";
        Exchange q = expect(prism.send("POST", "/api/tables/" + projects + "/query", JSON, query + "null}"), 200);
        assertEquals(2, q.json().path("page").size());
        Exchange last = expect(prism.send("POST", "/api/tables/" + projects + "/query", JSON, query + "\"" + q.json().path("continueCursor").asText() + "\"}"), 200);
        assertTrue(last.json().path("isDone").asBoolean());
        expect(prism.send("POST", "/api/tables/" + projects + "/query", JSON, "{\"index\": \"by_customer\", \"eq\": {\"customerId\": \"" + customer + "\"}}"), 200);
        expect(prism.send("GET", "/api/schema/openapi", null, null), 200);
        expect(prism.send("GET", "/api/schema/jsonschema/" + projects, null, null), 200);
        expect(prism.send("GET", "/api/schema/versions", null, null), 200);
        expect(prism.send("GET", "/api/schema/versions/" + version, null, null), 200);
        expect(prism.send("GET", "/api/schema/diff?from=0&to=" + version, null, null), 200);
        expect(prism.send("GET", "/api/schema/diff?from=" + version, null, null), 200);
    }

    static String schema(String customers, String projects) {
        return "{\"tables\": {\"" + customers + "\": {\"document\": {\"orgId\": {\"type\": \"string\"}, \"name\": {\"type\": \"string\"},"
                + " \"status\": {\"type\": \"string\", \"optional\": true}, \"email\": {\"type\": \"string\", \"optional\": true},"
                + " \"tier\": {\"type\": \"string\", \"optional\": true}}},"
                + " \"" + projects + "\": {\"document\": {\"customerId\": {\"type\": \"id\", \"table\": \"" + customers + "\"}, \"name\": {\"type\": \"string\"},"
                + " \"status\": {\"type\": \"union\", \"members\": [{\"type\": \"literal\", \"value\": \"active\"}, {\"type\": \"literal\", \"value\": \"completed\"}]},"
                + " \"startDate\": {\"type\": \"number\"}, \"endDate\": {\"type\": \"number\", \"optional\": true}},"
                + " \"indexes\": [{\"name\": \"by_customer\", \"fields\": [\"customerId\"]}, {\"name\": \"by_customer_status\", \"fields\": [\"customerId\", \"status\"]}]}},"
                + " \"schemaValidation\": true}";
    }

    /** docs/guides/migrations.md: define, dry run, run, follow, skip, the log, a CEL migration, a rollback. */
    private static void migrations(PrismProxy prism, String customers, String n) throws Exception {
        String backfill = "backfill" + n;
        expect(prism.send("PUT", "/api/migrations/" + backfill, JSON, "{\"table\": \"" + customers
                + "\", \"steps\": [{\"op\": \"setDefault\", \"field\": \"tier\", \"value\": \"basic\"}], \"backup\": true}"), 201);
        expect(prism.send("GET", "/api/migrations/" + backfill, null, null), 200);
        expect(prism.send("GET", "/api/migrations", null, null), 200);
        expect(prism.send("POST", "/api/migrations/" + backfill + "/runs", JSON, "{\"dryRun\": true, \"limit\": 5}"), 200);
        long runId = expect(prism.send("POST", "/api/migrations/" + backfill + "/runs", JSON, "{}"), 202).json().path("runId").asLong();
        expect(prism.send("GET", "/api/migrations/runs/" + runId, null, null), 200);
        assertEquals("completed", awaitEnd(prism, runId));
        expect(prism.send("POST", "/api/migrations/" + backfill + "/runs", JSON, "{}"), 200);
        expect(prism.send("GET", "/api/migrations/log", null, null), 200);
        expect(prism.send("GET", "/api/migrations/" + backfill, null, null), 200);

        String tier = "tierBySpend" + n;
        expect(prism.send("PUT", "/api/migrations/" + tier, JSON, "{\"table\": \"" + customers + "\", \"where\": \"doc.spend >= 1000.0\","
                + " \"steps\": [{\"op\": \"set\", \"field\": \"tier\", \"expr\": \"doc.spend > 5000.0 ? \\\"gold\\\" : \\\"silver\\\"\"}]}"), 201);
        expect(prism.send("GET", "/api/migrations/" + tier, null, null), 200);

        long rollback = expect(prism.send("POST", "/api/migrations/runs/" + runId + "/rollback", null, null), 202).json().path("runId").asLong();
        assertEquals("completed", awaitEnd(prism, rollback));
        expect(prism.send("GET", "/api/migrations/runs/" + runId, null, null), 200);
        expect(prism.send("GET", "/api/migrations/runs/" + rollback, null, null), 200);
        expect(prism.send("GET", "/api/migrations/log", null, null), 200);
        long again = expect(prism.send("POST", "/api/migrations/" + backfill + "/runs", JSON, "{\"rerun\": true, \"limit\": 1000}"), 202).json().path("runId").asLong();
        assertEquals("completed", awaitEnd(prism, again));
        expect(prism.send("DELETE", "/api/migrations/runs/" + again + "/backups", null, null), 204);
        expect(prism.send("GET", "/api/migrations", null, null), 200);
    }

    /** docs/guides/schema-transitions.md: a push whose migration cures the documents opens a transition. */
    private static void transitions(PrismProxy prism, String customers, String n) throws Exception {
        String migration = "backfillStatus" + n;
        expect(prism.send("PUT", "/api/migrations/" + migration, JSON, "{\"table\": \"" + customers
                + "\", \"steps\": [{\"op\": \"setDefault\", \"field\": \"status\", \"value\": \"active\"}], \"backup\": true}"), 201);
        String schema = "{\"tables\": {\"" + customers + "\": {\"document\": {\"orgId\": {\"type\": \"string\"}, \"name\": {\"type\": \"string\"},"
                + " \"status\": {\"type\": \"string\"}, \"email\": {\"type\": \"string\", \"optional\": true}, \"tier\": {\"type\": \"string\", \"optional\": true}}}},"
                + " \"migrations\": [\"" + migration + "\"]}";
        expect(prism.send("POST", "/api/schema/plan", JSON, schema), 200);
        expect(prism.send("PUT", "/api/schema", JSON, schema), 202);
        expect(prism.send("GET", "/api/schema/transition", null, null), 200);
        RawClients.await("the transition is active", Duration.ofSeconds(120),
                () -> Set.of("active", "failed").contains(given().get("/api/schema/transition").then().extract().path("state")));
        assertEquals("active", expect(prism.send("GET", "/api/schema/transition", null, null), 200).json().path("state").asText());
        expect(prism.send("GET", "/api/migrations/" + migration, null, null), 200);
        expect(prism.send("POST", "/api/schema/transition/rollback", null, null), 202);
        RawClients.await("the transition is rolled back", Duration.ofSeconds(120),
                () -> Set.of("rolledBack", "failed").contains(given().get("/api/schema/transition").then().extract().path("state")));
        assertEquals("rolledBack", expect(prism.send("GET", "/api/schema/transition", null, null), 200).json().path("state").asText());
        expect(prism.send("GET", "/api/schema", null, null), 200);
    }

    /** docs/guides/cli.md's export and import, as the HTTP calls they are. */
    private static void exportAndImport(PrismProxy prism, String customers, String n) throws Exception {
        expect(prism.send("GET", "/api/export?table=" + customers, null, null, "Accept", "application/x-ndjson"), 200);
        String target = "restored" + n;
        long id = expect(prism.send("POST", "/api/imports", JSON, "{\"table\": \"" + target + "\", \"mode\": \"append\"}"), 201).json().path("importId").asLong();
        expect(prism.send("POST", "/api/imports/" + id + "/lines?first=1", "application/x-ndjson", "{\"name\": \"one\"}\n{\"name\": \"two\"}\n"), 200);
        expect(prism.send("GET", "/api/imports/" + id, null, null), 200);
        expect(prism.send("POST", "/api/imports/" + id + "/commit", null, null), 200);
        long aborted = expect(prism.send("POST", "/api/imports", JSON, "{\"table\": \"" + target + "\", \"mode\": \"replace\", \"tableNumber\": 0}"), 201)
                .json().path("importId").asLong();
        expect(prism.send("DELETE", "/api/imports/" + aborted, null, null), 204);
        long refused = expect(prism.send("POST", "/api/imports", JSON, "{\"table\": \"" + target + "\"}"), 201).json().path("importId").asLong();
        expect(prism.send("POST", "/api/imports/" + refused + "/lines", "application/x-ndjson", "{\"_bad\": 1}\n"), 200);
        expect(prism.send("POST", "/api/imports/" + refused + "/commit", null, null), 422);
        expect(prism.send("POST", "/api/imports/" + refused + "/commit", null, null), 409);
        expect(prism.send("GET", "/api/imports/999999999", null, null), 404);
    }

    /** The errors docs/reference/http-api.md lists, from requests the contract allows. */
    private static void documentedErrors(PrismProxy prism, String customers, String id, String n) throws Exception {
        String docs = "/api/tables/" + customers + "/documents";
        expect(prism.send("GET", docs + "/01m8femqnw000mfrbq5h9pr124", null, null), 404);
        expect(prism.send("PATCH", docs + "/" + id, "application/merge-patch+json", "{\"name\": \"x\"}", "If-Match", "\"1-999\""), 412);
        expect(prism.send("PUT", docs + "/" + id, JSON, "{\"name\": \"x\"}", "If-Match", "\"1-999\""), 412);
        expect(prism.send("DELETE", docs + "/" + id, null, null, "If-Match", "\"1-999\""), 412);
        expect(prism.send("PUT", docs + "/" + id, JSON, "{\"name\": 7}"), 400);
        expect(prism.send("POST", docs, JSON, "{\"orgId\": \"org1\", \"name\": \"Other\"}", "Idempotency-Key", "c0ffee-" + customers), 422);
        expect(prism.send("GET", docs + "?cursor=not-a-cursor", null, null), 400);
        expect(prism.send("POST", "/api/tables/" + customers + "/query", JSON, "{\"index\": \"no_such_index\"}"), 400);
        expect(prism.send("GET", "/api/schema/versions/999999", null, null), 404);
        expect(prism.send("GET", "/api/schema/jsonschema/noSuchTable" + n, null, null), 404);
        expect(prism.send("PUT", "/api/schema", JSON, "{\"tables\": {\"" + customers + "\": {\"document\": {\"name\": {\"type\": \"number\"}}}}}"), 422);
        expect(prism.send("PUT", "/api/schema", JSON, "{\"tables\": {\"t" + n + "\": {\"document\": {\"ref\": {\"type\": \"id\", \"table\": \"noSuchTable" + n + "\"}}}}}"), 400);
        expect(prism.send("POST", "/api/schema/transition/rollback", null, null), 409);
        expect(prism.send("GET", "/api/migrations/noSuchMigration" + n, null, null), 404);
        expect(prism.send("POST", "/api/migrations/noSuchMigration" + n + "/runs", JSON, "{}"), 404);
        expect(prism.send("PUT", "/api/migrations/badCel" + n, JSON, "{\"table\": \"" + customers + "\", \"where\": \"doc.spend >=\", \"steps\": [{\"op\": \"unset\", \"field\": \"x\"}]}"), 400);
        expect(prism.send("GET", "/api/migrations/runs/999999999", null, null), 404);
        String plain = "plain" + n;
        expect(prism.send("PUT", "/api/migrations/" + plain, JSON, "{\"table\": \"" + customers + "\", \"steps\": [{\"op\": \"unset\", \"field\": \"nickname\"}]}"), 201);
        long run = expect(prism.send("POST", "/api/migrations/" + plain + "/runs", null, null), 202).json().path("runId").asLong();
        assertEquals("completed", awaitEnd(prism, run));
        expect(prism.send("PUT", "/api/migrations/" + plain, JSON, "{\"table\": \"" + customers + "\", \"steps\": [{\"op\": \"unset\", \"field\": \"other\"}]}"), 409);
        expect(prism.send("POST", "/api/migrations/runs/" + run + "/cancel", null, null), 409);
        expect(prism.send("POST", "/api/migrations/runs/" + run + "/resume", null, null), 409);
        expect(prism.send("POST", "/api/migrations/runs/" + run + "/rollback", null, null), 409);
        expect(prism.send("DELETE", "/api/migrations/runs/" + run + "/backups", null, null), 409);
        expect(prism.send("GET", "/api/export?table=noSuchTable" + n, null, null, "Accept", "application/x-ndjson, application/problem+json"), 404);
        expect(prism.send("POST", docs, JSON, "{\"big\": \"" + "x".repeat(1_100_000) + "\"}"), 413);
    }

    /** Requests out of a bound the contract declares: Prism refuses them, and so does the service without Prism. */
    private static void boundsTheContractDeclares(PrismProxy prism, String customers) throws Exception {
        String docs = "/api/tables/" + customers + "/documents";
        prism.sendRefused("GET", docs + "?limit=0", null, null);
        given().get(docs + "?limit=0").then().statusCode(400);
        prism.sendRefused("GET", docs + "?limit=1001", null, null);
        given().get(docs + "?limit=1001").then().statusCode(400);
        prism.sendRefused("GET", docs + "?order=sideways", null, null);
        given().get(docs + "?order=sideways").then().statusCode(400);
        prism.sendRefused("GET", "/api/tables/9lives/documents", null, null);
        given().get("/api/tables/9lives/documents").then().statusCode(400);
        prism.sendRefused("GET", docs + "/not-an-id", null, null);
        given().get(docs + "/not-an-id").then().statusCode(400);
        prism.sendRefused("POST", docs, JSON, "{\"name\": \"x\"}", "Idempotency-Key", "has spaces");
        given().contentType(JSON).header("Idempotency-Key", "has spaces").body("{\"name\": \"x\"}").post(docs).then().statusCode(400);
        String longName = "{\"" + "n".repeat(65) + "\": 1}";
        prism.sendRefused("POST", docs, JSON, longName);
        given().contentType(JSON).body(longName).post(docs).then().statusCode(400);
        prism.sendRefused("POST", docs + "/batch", JSON, "[]");
        given().contentType(JSON).body("[]").post(docs + "/batch").then().statusCode(400);
        String query = "{\"index\": \"by_creation_time\", \"limit\": 1001}";
        prism.sendRefused("POST", "/api/tables/" + customers + "/query", JSON, query);
        given().contentType(JSON).body(query).post("/api/tables/" + customers + "/query").then().statusCode(400);
        String schema = "{\"tables\": {}, \"unknown\": true}";
        prism.sendRefused("POST", "/api/schema/plan", JSON, schema);
        given().contentType(JSON).body(schema).post("/api/schema/plan").then().statusCode(400);
        String index = "{\"tables\": {\"t\": {\"document\": {\"a\": {\"type\": \"string\"}}, \"indexes\": [{\"name\": \"by_id\", \"fields\": [\"a\"]}]}}}";
        prism.sendRefused("POST", "/api/schema/plan", JSON, index);
        given().contentType(JSON).body(index).post("/api/schema/plan").then().statusCode(400);
        String steps = "{\"table\": \"" + customers + "\", \"steps\": []}";
        prism.sendRefused("PUT", "/api/migrations/emptySteps", JSON, steps);
        given().contentType(JSON).body(steps).put("/api/migrations/emptySteps").then().statusCode(400);
        String split = "{\"table\": \"" + customers + "\", \"steps\": [{\"op\": \"split\", \"field\": \"name\", \"separator\": \"\", \"into\": [\"a\", \"b\"]}]}";
        prism.sendRefused("PUT", "/api/migrations/emptySeparator", JSON, split);
        given().contentType(JSON).body(split).put("/api/migrations/emptySeparator").then().statusCode(400);
        prism.sendRefused("PUT", "/api/migrations/9lives", JSON, "{\"table\": \"" + customers + "\", \"steps\": [{\"op\": \"unset\", \"field\": \"x\"}]}");
        given().contentType(JSON).body("{\"table\": \"" + customers + "\", \"steps\": [{\"op\": \"unset\", \"field\": \"x\"}]}").put("/api/migrations/9lives").then().statusCode(400);
        prism.sendRefused("POST", "/api/migrations/anything/runs", JSON, "{\"limit\": 0}");
        prism.sendRefused("POST", "/api/migrations/anything/runs", JSON, "{\"dryrun\": true}");
        given().contentType(JSON).body("{\"dryrun\": true}").post("/api/migrations/anything/runs").then().statusCode(400);
        prism.sendRefused("POST", "/api/imports", JSON, "{\"table\": \"t\", \"mode\": \"merge\"}");
        given().contentType(JSON).body("{\"table\": \"t\", \"mode\": \"merge\"}").post("/api/imports").then().statusCode(400);
        prism.sendRefused("GET", "/api/events?kind=no.such.kind", null, null, "Accept", "text/event-stream, application/problem+json");
        given().accept("text/event-stream, application/problem+json").get("/api/events?kind=no.such.kind").then().statusCode(400);
        prism.sendRefused("POST", docs, "text/plain", "{\"name\": \"x\"}");
        given().contentType("text/plain").body("{\"name\": \"x\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)).post(docs).then().statusCode(415);
        prism.sendRefused("POST", "/api/imports/1/lines?first=0", "application/x-ndjson", "{}\n");
        given().contentType("application/x-ndjson").body("{}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8)).post("/api/imports/1/lines?first=0").then().statusCode(400);
    }

    private static String awaitEnd(PrismProxy prism, long runId) throws Exception {
        RawClients.await("run " + runId + " ends", Duration.ofSeconds(120),
                () -> ENDED.contains(given().get("/api/migrations/runs/" + runId).then().extract().<String>path("state")));
        return expect(prism.send("GET", "/api/migrations/runs/" + runId, null, null), 200).json().path("state").asText();
    }

    /** The exchange, once Prism let it through both ways and the service gave {@code status}; later steps build on it. */
    private static Exchange expect(Exchange e, int status) {
        assertNull(e.prismError(), () -> "Prism refused it: " + e.describe());
        assertEquals(status, e.status(), e.describe() + "\n" + e.body());
        return e;
    }
}
