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
 * The idle timeout closes silent connections, never one whose answer is still being worked out: with a 1 s idle
 * timeout, a request answered after 3 s gets its answer, and the connection is then closed once it has been idle.
 */
@QuarkusTest
@TestProfile(LongRequestsTest.ShortIdle.class)
class LongRequestsTest {

    public static class ShortIdle implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.idle-timeout", "1S");
        }
    }

    /** A route that answers after 3 s (a test route: not part of the service's API). */
    @ApplicationScoped
    static class SlowRoute {
        void init(@Observes Router router) {
            router.get("/test/slow-answer").handler(rc -> rc.vertx().setTimer(3000, t -> rc.response().end("done")));
        }
    }

    @Test
    void aRequestLongerThanTheIdleTimeoutIsAnsweredAndTheIdleConnectionThenClosed() throws Exception {
        int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /test/slow-answer HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // a kept-alive connection: everything the server sends until it closes the connection once idle
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(answer.startsWith("HTTP/1.1 200"), "answered, not cut after 1 s of silence: " + answer);
            assertTrue(answer.endsWith("done"), answer);
        }
    }
}
