package io.docshift.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.docshift.contract.client.ApiClient;
import io.docshift.contract.client.ApiException;
import io.docshift.contract.client.api.ContractCustomersApi;
import io.docshift.contract.client.api.ContractProjectsApi;
import io.docshift.contract.client.model.ContractCustomers;
import io.docshift.contract.client.model.ContractCustomersAddress;
import io.docshift.contract.client.model.ContractCustomersInput;
import io.docshift.contract.client.model.ContractCustomersPage;
import io.docshift.contract.client.model.ContractCustomersQuery;
import io.docshift.contract.client.model.ContractProjectsInput;
import io.docshift.contract.client.model.Problem;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Types from the active schema: a Java client that {@code openapi-generator-maven-plugin} generated in the test
 * build from {@code GET /api/schema/openapi} (of {@code contract/schema.json}, committed as
 * {@code contract/typed-openapi.json}, which must stay what the endpoint serves) works against the service; and
 * stored documents validate against {@code GET /api/schema/jsonschema/{table}} with an independent validator.
 */
@QuarkusTest
class TypedClientTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    static final Path SCHEMA = Path.of("src/test/resources/contract/schema.json");
    static final Path SNAPSHOT = Path.of("src/test/resources/contract/typed-openapi.json");

    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void pushTheContractSchema() throws Exception {
        given().contentType(ContentType.JSON).body(Files.readString(SCHEMA)).put("/api/schema").then().statusCode(200);
    }

    @Test
    void theCommittedTypedContractIsWhatTheServiceServes() throws Exception {
        JsonNode live = MAPPER.readTree(given().get("/api/schema/openapi").then().statusCode(200).extract().asString());
        assertTrue(live.path("info").path("x-docshift-schema-hash").asText().length() == 64, "info names the schema's hash");
        assertEquals(live.path("info").path("version").asText(), live.path("info").path("x-docshift-schema-version").asText(), "and its version");
        JsonNode committed = MAPPER.readTree(Files.readString(SNAPSHOT));
        assertEquals(withoutVersion(committed), withoutVersion(live),
                "GET /api/schema/openapi changed: regenerate src/test/resources/contract/typed-openapi.json from it (the client is generated from that file)");
    }

    @Test
    void theTypedContractListsTheNotModifiedThatAConditionalGetAnswers() throws Exception {
        JsonNode live = MAPPER.readTree(given().get("/api/schema/openapi").then().statusCode(200).extract().asString());
        JsonNode get = live.at("/paths/~1api~1tables~1contract_customers~1documents~1{id}/get");
        assertTrue(get.path("responses").has("304"), "304 is listed: " + get.path("responses"));
        assertEquals("If-None-Match", get.path("parameters").path(0).path("name").asText());
        String id = given().contentType(ContentType.JSON).body("{\"orgId\": \"o304\", \"name\": \"Ada\", \"tier\": \"basic\"}")
                .post("/api/tables/contract_customers/documents").then().statusCode(201).extract().path("_id");
        String etag = given().get("/api/tables/contract_customers/documents/" + id).then().statusCode(200).extract().header("ETag");
        given().header("If-None-Match", etag).get("/api/tables/contract_customers/documents/" + id).then().statusCode(304);
    }

    private static JsonNode withoutVersion(JsonNode spec) {
        ObjectNode copy = spec.deepCopy();
        ((ObjectNode) copy.get("info")).remove(List.of("version", "description", "x-docshift-schema-version"));
        return copy;
    }

    @Test
    void aGeneratedJavaClientInsertsGetsPagesQueriesAndMapsA400ToItsProblem() throws Exception {
        ApiClient client = new ApiClient();
        client.updateBaseUri(base.toString().replaceAll("/$", ""));
        ContractCustomersApi customers = new ContractCustomersApi(client);
        String org = "org-" + UUID.randomUUID();
        ContractCustomers ada = customers.insertContractCustomers(new ContractCustomersInput().orgId(org).name("Ada Lovelace")
                .tier(ContractCustomersInput.TierEnum.GOLD).visits(9_007_199_254_740_993L).avatar("hi".getBytes(StandardCharsets.UTF_8))
                .address(new ContractCustomersAddress().city("London")).tags(List.of("math")).prefs(Map.of("newsletter", true)), UUID.randomUUID().toString());
        assertTrue(ada.getId().matches("[0-9a-z]{26}"));
        assertTrue(ada.getCreationTime() > 0);
        customers.insertContractCustomers(new ContractCustomersInput().orgId(org).name("Grace Hopper").tier(ContractCustomersInput.TierEnum.BASIC), null);

        ContractCustomers read = customers.getContractCustomers(ada.getId(), null);
        assertEquals("Ada Lovelace", read.getName());
        assertEquals(ContractCustomers.TierEnum.GOLD, read.getTier());
        assertEquals(9_007_199_254_740_993L, read.getVisits(), "an int64 beyond 2^53 survives the round trip");
        assertEquals("hi", new String(read.getAvatar(), StandardCharsets.UTF_8), "bytes are base64");
        assertEquals("London", read.getAddress().getCity());

        ContractCustomersPage page = customers.listContractCustomers(1, null, "desc");
        assertEquals(1, page.getPage().size());
        assertTrue(!page.getIsDone() && !page.getContinueCursor().isEmpty());
        ContractCustomersPage byOrg = customers.queryContractCustomers(new ContractCustomersQuery().index(ContractCustomersQuery.IndexEnum.BY_ORG)
                .eq(Map.of("orgId", org)).order(ContractCustomersQuery.OrderEnum.ASC));
        assertEquals(List.of("Ada Lovelace", "Grace Hopper"), byOrg.getPage().stream().map(ContractCustomers::getName).toList());

        ContractProjectsApi projects = new ContractProjectsApi(client);
        ApiException refused = assertThrows(ApiException.class, () -> projects.insertContractProjects(new ContractProjectsInput()
                .customerId("not-an-id").name("p").status(ContractProjectsInput.StatusEnum.ACTIVE).startDate(1.0), null));
        assertEquals(400, refused.getCode());
        Problem problem = client.getObjectMapper().readValue(refused.getResponseBody(), Problem.class);
        assertEquals(400, problem.getStatus());
        assertEquals("/customerId", problem.getViolations().get(0).getPath());
        assertTrue(problem.getType().startsWith("urn:docshift:problem:"));
    }

    @Test
    void storedDocumentsValidateAgainstTheirTablesJsonSchemaWithAnIndependentValidator() throws Exception {
        given().contentType(ContentType.JSON).body("{\"orgId\":\"o\",\"name\":\"Edsger\",\"tier\":\"basic\",\"tags\":[\"a\",\"b\"],\"prefs\":{\"x\":false}}")
                .post("/api/tables/contract_customers/documents").then().statusCode(201);
        String customer = given().contentType(ContentType.JSON).body("{\"orgId\":\"o\",\"name\":\"Barbara\",\"tier\":\"gold\"}")
                .post("/api/tables/contract_customers/documents").then().statusCode(201).extract().path("_id");
        given().contentType(ContentType.JSON).body("{\"customerId\":\"" + customer + "\",\"name\":\"p\",\"status\":\"completed\",\"startDate\":1.5,\"note\":null}")
                .post("/api/tables/contract_projects/documents").then().statusCode(201);
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
        int checked = 0;
        for (String table : List.of("contract_customers", "contract_projects")) {
            Schema schema = registry.getSchema(given().get("/api/schema/jsonschema/" + table).then().statusCode(200).extract().asString());
            JsonNode page = MAPPER.readTree(given().get("/api/tables/" + table + "/documents?limit=1000").then().statusCode(200).extract().asString());
            for (JsonNode doc : page.path("page")) {
                List<Error> errors = schema.validate(doc);
                assertEquals(List.of(), errors.stream().map(Error::getMessage).toList(), table + " " + doc);
                checked++;
            }
            // and the schema is strict: what the service refuses, the schema refuses too
            ObjectNode wrong = (ObjectNode) page.path("page").get(0).deepCopy();
            wrong.put("unknownField", 1);
            assertTrue(!schema.validate(wrong).isEmpty(), "an unknown field is refused");
            ObjectNode noId = (ObjectNode) page.path("page").get(0).deepCopy();
            noId.remove("_id");
            assertTrue(!schema.validate(noId).isEmpty(), "a stored document has its _id");
        }
        assertTrue(checked >= 3, "documents checked: " + checked);
        given().get("/api/schema/jsonschema/no_such_table").then().statusCode(404).contentType("application/problem+json");
    }
}
