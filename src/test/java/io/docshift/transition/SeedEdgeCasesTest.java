package io.docshift.transition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.support.Api;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

import static io.docshift.transition.TransitionScenariosTest.awaitTransitionState;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each step gives the seed's own result on awkward documents: splitNameField's {@code user.name?.split(" ") ||
 * ["", ""]}, backfillCustomerStatus's {@code !customer.status}, migrateNameToFullName's
 * {@code !customer.fullName && customer.name}, computed here the way JavaScript computes them.
 */
@QuarkusTest
class SeedEdgeCasesTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    @AfterEach
    void closeLeftoverTransition() {
        Transitions.forceClose();
    }

    /** JavaScript's {@code name?.split(" ") || ["", ""]}, then {@code [parts[0], parts.slice(1).join(" ") || ""]}. */
    static String[] seedSplit(String name) {
        String[] parts = name == null ? new String[]{"", ""} : name.split(Pattern.quote(" "), -1);
        String rest = String.join(" ", Arrays.copyOfRange(parts, 1, parts.length));
        return new String[]{parts[0], rest};
    }

    @Test
    void theSeedsSplitOnEveryAwkwardNameWithItsNarrowSchemaReachingActive() throws Exception {
        String t = TestDb.freshTable("users");
        String v1 = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"union\",\"members\":[{\"type\":\"string\"},{\"type\":\"null\"}],\"optional\":true}}}}}";
        String v2 = "{\"tables\":{\"" + t + "\":{\"document\":{\"firstName\":{\"type\":\"string\"},\"lastName\":{\"type\":\"string\"}}}},\"migrations\":[\"seedSplit_" + t + "\"]}";
        given().contentType(ContentType.JSON).body(v1).put("/api/schema").then().statusCode(200);
        Map<String, String> names = new LinkedHashMap<>();
        for (String body : new String[]{"{}", "{\"name\":null}", "{\"name\":\"\"}", "{\"name\":\"Ada\"}", "{\"name\":\"Ada  Lovelace\"}",
                "{\"name\":\" Ada Lovelace\"}", "{\"name\":\"Ada Lovelace \"}", "{\"name\":\"Johann Sebastian Bach\"}", "{\"name\":\" \"}"}) {
            JsonNode n = MAPPER.readTree(body).get("name");
            names.put(Api.insert(t, body), n == null || n.isNull() ? null : n.asText());
        }
        Runs.define("seedSplit_" + t, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"split\",\"field\":\"name\",\"separator\":\" \",\"into\":[\"firstName\",\"lastName\"]},"
                + "{\"op\":\"unset\",\"field\":\"name\"}]}");
        given().contentType(ContentType.JSON).body(v2).put("/api/schema").then().statusCode(202);
        JsonPath end = awaitTransitionState(Duration.ofMinutes(2), "active", "failed");
        assertEquals("active", end.getString("state"), "the seed's narrow schema (firstName and lastName required) verifies: " + end.prettify());
        for (Map.Entry<String, String> e : names.entrySet()) {
            String[] expected = seedSplit(e.getValue());
            JsonPath doc = given().get(Api.docs(t) + "/" + e.getKey()).then().statusCode(200).extract().jsonPath();
            assertEquals(expected[0], doc.getString("firstName"), "firstName of " + e.getValue());
            assertEquals(expected[1], doc.getString("lastName"), "lastName of " + e.getValue());
        }
    }

    @Test
    void aNameThatIsNotAStringFailsTheSplitNamingTheDocumentAsTheSeedWouldThrow() throws Exception {
        String t = TestDb.freshTable("users");
        Api.insert(t, "{\"name\":\"Ada Lovelace\"}");
        String bad = Api.insert(t, "{\"name\":42}");
        String m = "seedSplitBad_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"split\",\"field\":\"name\",\"separator\":\" \",\"into\":[\"firstName\",\"lastName\"]}]}");
        JsonPath run = Runs.awaitEnd(Runs.start(m, "{}"), Duration.ofMinutes(1));
        assertEquals("failed", run.getString("state"));
        assertEquals(bad, run.getString("error._id"));
        assertTrue(run.getString("error.message").contains("not a string"), run.getString("error.message"));
    }

    @Test
    void backfillAndCopyKeepWhatTheSeedKeepsAndFillWhatItFills() throws Exception {
        String t = TestDb.freshTable("customers");
        Map<String, String> status = new LinkedHashMap<>();
        status.put(Api.insert(t, "{\"name\":\"a\"}"), "active");
        status.put(Api.insert(t, "{\"name\":\"b\",\"status\":null}"), "active");
        status.put(Api.insert(t, "{\"name\":\"c\",\"status\":\"\"}"), "active");
        status.put(Api.insert(t, "{\"name\":\"d\",\"status\":\"vip\"}"), "vip");
        Runs.define("backfill_" + t, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"active\"}]}");
        JsonPath run = Runs.awaitEnd(Runs.start("backfill_" + t, "{}"), Duration.ofMinutes(1));
        assertEquals(3, run.getLong("changed"), "missing, null and \"\" are backfilled, as !customer.status");
        status.forEach((id, expected) -> given().get(Api.docs(t) + "/" + id).then().body("status", org.hamcrest.Matchers.equalTo(expected)));

        String keeps = Api.insert(t, "{\"name\":\"Ada\",\"fullName\":\"Ada King\"}");
        String copies = Api.insert(t, "{\"name\":\"Grace\"}");
        String copiesOverBlank = Api.insert(t, "{\"name\":\"Alan\",\"fullName\":\"\"}");
        String noName = Api.insert(t, "{\"name\":\"\"}");
        Runs.define("copy_" + t, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"set\",\"field\":\"fullName\",\"from\":\"name\"}]}");
        Runs.awaitEnd(Runs.start("copy_" + t, "{}"), Duration.ofMinutes(1));
        given().get(Api.docs(t) + "/" + keeps).then().body("fullName", org.hamcrest.Matchers.equalTo("Ada King"));
        given().get(Api.docs(t) + "/" + copies).then().body("fullName", org.hamcrest.Matchers.equalTo("Grace"));
        given().get(Api.docs(t) + "/" + copiesOverBlank).then().body("fullName", org.hamcrest.Matchers.equalTo("Alan"));
        assertFalse(given().get(Api.docs(t) + "/" + noName).then().extract().jsonPath().getMap("$").containsKey("fullName"), "an empty name is not copied");

        String renameKeeps = Api.insert(t, "{\"nick\":\"old\",\"handle\":\"kept\"}");
        String renameMoves = Api.insert(t, "{\"nick\":\"moved\"}");
        String renameNull = Api.insert(t, "{\"nick\":null}");
        Runs.define("rename_" + t, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"rename\",\"from\":\"nick\",\"to\":\"handle\"}]}");
        Runs.awaitEnd(Runs.start("rename_" + t, "{}"), Duration.ofMinutes(1));
        Map<String, Object> kept = given().get(Api.docs(t) + "/" + renameKeeps).then().extract().jsonPath().getMap("$");
        assertEquals("kept", kept.get("handle"));
        assertFalse(kept.containsKey("nick"));
        assertEquals("moved", given().get(Api.docs(t) + "/" + renameMoves).then().extract().path("handle"));
        Map<String, Object> nulled = given().get(Api.docs(t) + "/" + renameNull).then().extract().jsonPath().getMap("$");
        assertFalse(nulled.containsKey("nick") || nulled.containsKey("handle"), "a null is not carried over: " + nulled);
    }
}
