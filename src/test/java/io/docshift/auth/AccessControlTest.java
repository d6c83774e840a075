package io.docshift.auth;

import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.docshift.support.Management.management;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.oneOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every endpoint against every scope: 401 without a valid key, 403 without the scope, served with it. */
@QuarkusTest
@TestProfile(AccessControlTest.KeysOn.class)
class AccessControlTest {

    static final String READER = "reader-secret-0123456789";
    static final String WRITER = "writer-secret-0123456789";
    static final String ADMIN = "admin-secret-01234567890";
    static final String TABLE = TestDb.freshTable("guarded");

    /** Access control on, with one key per scope. */
    public static class KeysOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("docshift.auth.enabled", "true",
                    "docshift.auth.keys.reader.secret", READER, "docshift.auth.keys.reader.scopes", "read",
                    "docshift.auth.keys.writer.secret", WRITER, "docshift.auth.keys.writer.scopes", "read,write",
                    "docshift.auth.keys.ops.secret", ADMIN, "docshift.auth.keys.ops.scopes", "admin");
        }
    }

    /** An endpoint, a body, and the scope it needs. */
    record Call(String method, String path, String body, Scope needs) {
    }

    static String id;

    @org.junit.jupiter.api.BeforeEach
    void aDocument() {
        if (id != null) {
            return;
        }
        id = given().header("Authorization", "Bearer " + WRITER).contentType(ContentType.JSON).body("{\"a\":1}")
                .post("/api/tables/" + TABLE + "/documents").then().statusCode(201).extract().path("_id");
    }

    static List<Call> calls() {
        String docs = "/api/tables/" + TABLE + "/documents";
        return List.of(
                new Call("GET", docs + "/" + id, null, Scope.READ),
                new Call("GET", docs, null, Scope.READ),
                new Call("GET", "/api/tables", null, Scope.READ),
                new Call("POST", "/api/tables/" + TABLE + "/query", "{\"index\":\"by_creation_time\"}", Scope.READ),
                new Call("GET", "/api/schema/versions", null, Scope.READ),
                new Call("POST", docs, "{\"b\":2}", Scope.WRITE),
                new Call("POST", docs + "/batch", "[{\"b\":3}]", Scope.WRITE),
                new Call("PATCH", docs + "/" + id, "{\"c\":1}", Scope.WRITE),
                new Call("PUT", docs + "/" + id, "{\"a\":1}", Scope.WRITE),
                new Call("POST", "/api/schema/plan", "{\"tables\":{}}", Scope.ADMIN),
                new Call("PUT", "/api/schema", "{\"tables\":{}", Scope.ADMIN),
                new Call("GET", "/api/migrations", null, Scope.READ),
                new Call("GET", "/api/migrations/log", null, Scope.READ),
                new Call("PUT", "/api/migrations/authProbe", "{\"table\":\"" + TABLE + "\",\"steps\":[]}", Scope.ADMIN),
                new Call("POST", "/api/migrations/nope/runs", "{}", Scope.ADMIN),
                new Call("GET", "/api/migrations/runs/1", null, Scope.READ),
                new Call("GET", "/api/workers", null, Scope.READ),
                new Call("GET", "/api/export?table=" + TABLE, null, Scope.ADMIN),
                new Call("POST", "/api/imports", "{\"table\":\"" + TABLE + "\"}", Scope.ADMIN),
                new Call("GET", "/dashboard/session", null, Scope.READ),
                new Call("POST", "/api/migrations/runs/999999/cancel", null, Scope.ADMIN),
                new Call("POST", "/api/migrations/runs/999999/resume", null, Scope.ADMIN),
                new Call("POST", "/api/migrations/runs/999999/rollback", null, Scope.ADMIN),
                new Call("GET", "/api/schema/transition", null, Scope.READ),
                new Call("POST", "/api/schema/transition/rollback", null, Scope.ADMIN),
                new Call("PUT", "/api/tables/x/../../schema", "{\"tables\":{}", Scope.ADMIN));
    }

    private static ValidatableResponse send(Call c, String key) {
        RequestSpecification r = given().urlEncodingEnabled(false);
        if (key != null) {
            r = r.header("Authorization", key);
        }
        if (c.body() != null) {
            r = r.contentType(ContentType.JSON).body(c.body());
        }
        return r.request(c.method(), c.path()).then();
    }

    @Test
    void withoutAValidKeyEveryApiCallIs401ProblemJsonWhateverExists() {
        for (Call c : calls()) {
            for (String bad : new String[]{null, "Bearer nope", "Basic " + ADMIN, "Bearer " + ADMIN.substring(1), "bearer"}) {
                send(c, bad).statusCode(401).contentType("application/problem+json").header("WWW-Authenticate", containsString("Bearer"))
                        .body("status", equalTo(401));
            }
        }
        // an unknown document and an existing one look the same without a key
        given().get("/api/tables/" + TABLE + "/documents/" + id).then().statusCode(401);
        given().get("/api/tables/nosuchtable/documents/01m8fraa7b007kwny59614wsep").then().statusCode(401);
    }

    @Test
    void aKeyWithoutTheScopeIs403AndOneWithItIsServed() {
        Map<Scope, String> keys = Map.of(Scope.READ, READER, Scope.WRITE, WRITER, Scope.ADMIN, ADMIN);
        int checked = 0;
        for (Call c : calls()) {
            for (Map.Entry<Scope, String> k : keys.entrySet()) {
                ValidatableResponse r = send(c, "Bearer " + k.getValue());
                if (k.getKey().covers(c.needs())) {
                    r.statusCode(not(oneOf(401, 403)));
                } else {
                    r.statusCode(403).contentType("application/problem+json").body("detail", containsString(c.needs().name().toLowerCase()));
                }
                checked++;
            }
        }
        assertEquals(calls().size() * 3, checked);
    }

    @Test
    void probesMetricsAndOpenApiStayOpen() {
        management().get("/q/health/live").then().statusCode(200);
        management().get("/q/health/ready").then().statusCode(200);
        management().get("/q/health/started").then().statusCode(200);
        management().get("/q/health").then().statusCode(200);
        management().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200);
    }

    @Test
    void everyPathOutsideTheAllowListIsClosedByDefault() {
        for (String path : List.of("/", "/anything", "/dashboard", "/dashboard/", "/q/swagger-ui", "/q/dev", "/q/healthz", "/q/health/../metrics/../dev",
                "/q/health/ready", "/q/metrics",
                "/static/app.js", "/api")) {
            given().urlEncodingEnabled(false).get(path).then().statusCode(401).contentType("application/problem+json")
                    .header("WWW-Authenticate", containsString("Bearer")).body("status", equalTo(401));
            given().urlEncodingEnabled(false).post(path).then().statusCode(401);
        }
        // with a key, an unknown path is an ordinary 404 problem
        given().header("Authorization", "Bearer " + READER).get("/anything").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void signingOutEndsTheSessionOnTheServer() {
        String origin = "http://localhost:" + io.restassured.RestAssured.port;
        String cookie = given().redirects().follow(false).header("Origin", origin).formParam("key", READER).post("/dashboard/session")
                .then().statusCode(303).extract().cookie(Sessions.COOKIE);
        given().cookie(Sessions.COOKIE, cookie).get("/api/tables").then().statusCode(200);
        given().redirects().follow(false).cookie(Sessions.COOKIE, cookie).header("Origin", origin).post("/dashboard/session/end").then().statusCode(303);
        given().cookie(Sessions.COOKIE, cookie).get("/api/tables").then().statusCode(401).contentType("application/problem+json");
    }

    @Test
    void aForwardedHostIsNotTrustedWithoutAConfiguredProxy() {
        // quarkus.http.proxy.* is not set: X-Forwarded-Host cannot make another site's Origin look like ours
        given().redirects().follow(false).header("Origin", "https://attacker.example").header("X-Forwarded-Host", "attacker.example")
                .formParam("key", READER).post("/dashboard/session").then().statusCode(403);
    }
}
