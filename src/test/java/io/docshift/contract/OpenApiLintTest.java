package io.docshift.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.support.Tools;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI document lints clean with Redocly's recommended rules (0 errors, 0 warnings; the few rules
 * switched off are justified in {@code redocly.yaml}), and says what generated clients need: a stable camelCase
 * operationId and the bearer scheme's scope on every operation, and no framework types.
 */
@QuarkusTest
class OpenApiLintTest {

    static final String REDOCLY = "@redocly/cli@2.77.0";
    static final Pattern CAMEL = Pattern.compile("[a-z][a-zA-Z0-9]*");

    @Test
    void theContractLintsCleanWithRedoclysRecommendedRules() throws Exception {
        Tools.require("OpenApiLintTest", new Tools.Tool("npx", "npm"));
        String spec = given().accept("application/json").get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        Path file = Path.of("target", "openapi", "docshift.json");
        Files.createDirectories(file.getParent());
        Files.writeString(file, spec);
        Process p = new ProcessBuilder("npx", "--yes", REDOCLY, "lint", file.toString(), "--config", "redocly.yaml", "--format", "stylish")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "redocly lint ended");
        assertEquals(0, p.exitValue(), "redocly lint failed:\n" + out);
        assertTrue(out.contains("Your API description is valid"), out);
        assertTrue(!out.contains(" warning "), "no warnings:\n" + out);
    }

    @Test
    void everyOperationHasAStableCamelCaseIdAndItsScopeAndNoFrameworkTypeLeaks() throws Exception {
        JsonNode spec = new ObjectMapper().readTree(given().accept("application/json").get("/q/openapi?format=json").then().extract().asString());
        List<String> ids = new ArrayList<>();
        spec.path("paths").fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
            JsonNode o = op.getValue();
            String id = o.path("operationId").asText("");
            assertTrue(CAMEL.matcher(id).matches(), op.getKey() + " " + path.getKey() + " has operationId '" + id + "'");
            ids.add(id);
            if (path.getKey().startsWith("/api")) {
                String scope = o.path("security").path(0).path("apiKey").path(0).asText("");
                assertTrue(Set.of("read", "write", "admin").contains(scope), op.getKey() + " " + path.getKey() + " names its scope");
                assertTrue(o.path("responses").has("401") && o.path("responses").has("403"));
            }
        }));
        assertEquals(ids.size(), Set.copyOf(ids).size(), "operationIds are unique");
        assertEquals("bearer", spec.path("components").path("securitySchemes").path("apiKey").path("scheme").asText());
        assertTrue(spec.path("servers").size() > 0);
        List<String> schemas = new ArrayList<>();
        spec.path("components").path("schemas").fieldNames().forEachRemaining(schemas::add);
        for (String s : schemas) {
            assertTrue(!s.startsWith("JsonNode") && !s.matches(".*\\d$") && !s.equals("OffsetDateTime"), "a framework or clashing type leaks in: " + s);
        }
        assertEquals("#/components/schemas/Document", spec.at("/paths/~1api~1tables~1{table}~1documents~1{id}/get/responses/200/content/application~1json/schema/$ref").asText());
    }
}
