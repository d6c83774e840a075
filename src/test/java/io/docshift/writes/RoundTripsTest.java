package io.docshift.writes;

import io.docshift.support.Api;
import io.docshift.support.RoundTripProxy;
import io.docshift.support.TestDb;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Counts the round trips the request pool makes to PostgreSQL per write, through a proxy that reads the
 * protocol: an insert and a replace are one (the write gate is folded into the statement, in autocommit), a
 * patch two (read, then write if unchanged), a GET one. So the one-trip path cannot regress unnoticed.
 */
@QuarkusTest
@QuarkusTestResource(value = RoundTripsTest.Proxied.class, restrictToAnnotatedClass = true)
class RoundTripsTest {

    /** Starts the proxy before the app, and points the app's pools at it. */
    public static class Proxied implements QuarkusTestResourceLifecycleManager {
        private static final String URL = "quarkus.datasource.jdbc.url";
        static RoundTripProxy proxy;
        private String chosen;

        @Override
        public Map<String, String> start() {
            try {
                proxy = new RoundTripProxy(Integer.parseInt(TestDb.PORT));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            // TestDatabase names the test database as a system property, which outranks a test resource's
            // configuration: point that property at the proxy while this class runs
            chosen = System.getProperty(URL);
            System.setProperty(URL, "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + TestDb.DATABASE);
            // the pod's own periodic reads (run and transition polls, the schema view's check) wait an hour here,
            // so what the proxy counts is the requests' work
            return Map.of("docshift.migrations.poll", "1h", "docshift.schema.refresh-interval", "1h");
        }

        @Override
        public void stop() {
            if (chosen != null) {
                System.setProperty(URL, chosen);
            } else {
                System.clearProperty(URL);
            }
            try {
                proxy.close();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final int N = 200;
    /** Round trips the pod may make on its own meanwhile (an index poll, a LISTEN wake-up). */
    private static final int SLACK = 10;

    @Test
    void anInsertIsOneRoundTripAPatchTwoAGetOne() {
        String t = TestDb.freshTable("trips");
        given().contentType(ContentType.JSON).body("{\"tables\":{\"" + t + "\":{\"document\":{\"n\":{\"type\":\"number\"},"
                + "\"s\":{\"type\":\"string\",\"optional\":true}}}}}").put("/api/schema").then().statusCode(200);
        for (int i = 0; i < 20; i++) {
            Api.insert(t, "{\"n\":" + i + "}"); // the table exists, the statements are prepared
        }

        long before = trips();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            ids.add(Api.insert(t, "{\"n\":" + i + "}"));
        }
        long inserts = trips() - before;
        assertTrue(inserts <= N + SLACK, N + " inserts took " + inserts + " round trips; one each is the contract");

        before = trips();
        for (String id : ids) {
            given().contentType(ContentType.JSON).body("{\"s\":\"x\"}").patch(Api.docs(t) + "/" + id).then().statusCode(200);
        }
        long patches = trips() - before;
        assertTrue(patches <= 2L * N + SLACK, N + " patches took " + patches + " round trips; two each is the contract");

        before = trips();
        for (String id : ids) {
            given().contentType(ContentType.JSON).body("{\"n\":1,\"s\":\"y\"}").put(Api.docs(t) + "/" + id).then().statusCode(200);
        }
        long replaces = trips() - before;
        assertTrue(replaces <= N + SLACK, N + " replaces took " + replaces + " round trips; one each is the contract");

        before = trips();
        for (String id : ids) {
            given().get(Api.docs(t) + "/" + id).then().statusCode(200);
        }
        long gets = trips() - before;
        assertTrue(gets <= N + SLACK, N + " reads took " + gets + " round trips; one each is the contract");
        System.out.printf("round trips for %d requests each: inserts %d, patches %d, replaces %d, gets %d%n", N, inserts, patches, replaces, gets);
        assertTrue(inserts >= N && patches >= 2L * N && gets >= N, "the proxy sees the requests' pool: " + inserts + ", " + patches + ", " + gets + "; " + Proxied.proxy);
    }

    private static long trips() {
        return Proxied.proxy.trips("docshift");
    }
}
