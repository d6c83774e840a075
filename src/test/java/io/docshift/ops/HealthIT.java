package io.docshift.ops;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Runs against the packaged application. */
@QuarkusIntegrationTest
class HealthIT {

    @Test
    void healthEndpointsAreUp() {
        for (String probe : new String[]{"/q/health/live", "/q/health/ready", "/q/health/started"}) {
            given().get(probe).then().statusCode(200).body("status", equalTo("UP"));
        }
    }

    @Test
    void readinessChecksTheDatabase() {
        given().get("/q/health/ready").then().statusCode(200).body(containsString("Database connections health check"));
    }

    @Test
    void metricsArePrometheusText() {
        given().contentType("application/json").body("{\"probe\":true}").post("/api/tables/itprobe/documents").then().statusCode(201);
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("docshift_documents_written_total{operation=\"insert\",table=\"itprobe\"}"))
                .body(containsString("http_server_requests_seconds_count"));
    }
}
