package io.docshift.http;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The idle timeout closes silent connections and the body timeout cuts slow bodies, never a request whose answer
 * is still being worked out: with both at 1 s, requests answered after 3 s (with a body, with an empty one, with
 * none) get their answer, and the connection is then closed once it has been idle.
 */
@QuarkusTest
@TestProfile(LongRequestsTest.ShortIdle.class)
class LongRequestsTest {

    public static class ShortIdle implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.idle-timeout", "1S", "docshift.http.body-timeout", "1s");
        }
    }

    /** A route that answers after 3 s (a test route: not part of the service's API). */
    @ApplicationScoped
    static class SlowRoute {
        void init(@Observes Router router) {
            router.route("/test/slow-answer").handler(rc -> rc.vertx().setTimer(3000, t -> rc.response().end("done")));
        }
    }

    @Test
    void aRequestLongerThanTheIdleTimeoutIsAnsweredAndTheIdleConnectionThenClosed() throws Exception {
        assertAnswered("GET /test/slow-answer HTTP/1.1\r\nHost: localhost\r\n\r\n");
    }

    @Test
    void theBodyTimeoutCoversTheBodyNotTheWorkAfterIt() throws Exception {
        assertAnswered("POST /test/slow-answer HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
        assertAnswered("POST /test/slow-answer HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n");
        assertAnswered("POST /test/slow-answer HTTP/1.1\r\nHost: localhost\r\n\r\n");
    }

    private static void assertAnswered(String request) throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // a kept-alive connection: everything the server sends until it closes the connection once idle
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 200"), "answered, not cut after 1 s: " + answer);
            assertTrue(answer.endsWith("done"), answer);
        }
    }
}
