package io.docshift.support;

import io.restassured.specification.RequestSpecification;
import org.eclipse.microprofile.config.ConfigProvider;

import static io.restassured.RestAssured.given;

/** Requests to the management interface (probes and metrics), which listens on a port of its own. */
public final class Management {

    private Management() {
    }

    /** The management interface's port in this test run (a free one: quarkus.management.test-port=0). */
    public static int port() {
        return ConfigProvider.getConfig().getValue("quarkus.management.test-port", Integer.class);
    }

    /** A rest-assured request to the management interface. */
    public static RequestSpecification management() {
        return given().port(port());
    }
}
