package io.docshift.ops;

import io.docshift.support.AppProcess;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Runs against the packaged application, in the prod profile: access control is on. */
@QuarkusIntegrationTest
@io.quarkus.test.junit.TestProfile(HealthIT.OneKey.class)
class HealthIT {

    static final String KEY = "it-writer-0123456789abcdef";
    /** The packaged app's management interface, on a free port (quarkus.management.test-port does not reach it). */
    static final int MANAGEMENT_PORT = AppProcess.freePort();

    /** One write key, and the management interface on a port of this run. */
    public static class OneKey implements io.quarkus.test.junit.QuarkusTestProfile {
        @Override
        public java.util.Map<String, String> getConfigOverrides() {
            // the packaged app runs in the prod profile, which needs a URL: the test database TestDatabase chose
            return java.util.Map.of("docshift.auth.keys.it.secret", KEY, "docshift.auth.keys.it.scopes", "write",
                    "quarkus.datasource.jdbc.url", System.getProperty("docshift.test.app-jdbc-url"),
                    "quarkus.management.port", Integer.toString(MANAGEMENT_PORT),
                    // the packaged app stays up while the later ITs run on the same database: it must not take their runs
                    "docshift.migrations.worker", "false");
        }
    }

    private static io.restassured.specification.RequestSpecification management() {
        return given().port(MANAGEMENT_PORT);
    }

    @Test
    void accessControlIsOnInProduction() {
        given().contentType("application/json").body("{\"probe\":true}").post("/api/tables/itprobe/documents").then().statusCode(401)
                .contentType("application/problem+json");
        given().header("Authorization", "Bearer " + KEY).put("/api/schema").then().statusCode(403);
    }

    @Test
    void probesAndMetricsAreNotOnTheApiPort() {
        given().get("/q/health/ready").then().statusCode(401);
        given().get("/q/metrics").then().statusCode(401);
    }

    @Test
    void healthEndpointsAreUp() {
        for (String probe : new String[]{"/q/health/live", "/q/health/ready", "/q/health/started"}) {
            management().get(probe).then().statusCode(200).body("status", equalTo("UP"));
        }
    }

    @Test
    void readinessChecksTheDatabase() {
        management().get("/q/health/ready").then().statusCode(200).body(containsString("Database connections health check"));
    }

    @Test
    void metricsArePrometheusText() {
        given().header("Authorization", "Bearer " + KEY).contentType("application/json").body("{\"probe\":true}")
                .post("/api/tables/itprobe/documents").then().statusCode(201);
        management().get("/q/metrics").then().statusCode(200)
                .body(containsString("docshift_documents_written_total{operation=\"insert\",table=\"itprobe\"}"))
                .body(containsString("http_server_requests_seconds_count"));
    }
}
