package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The Docshift REST API as the CLI sees it: JSON in and out, a bearer key when one is given, and failures
 * turned into the CLI's exit codes ({@link Refused}: the service said no, with its problem; {@link Unreachable}:
 * nothing answered, or the service is unavailable).
 */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The service refused the request (4xx): its problem document, printed as it is with {@code --json}, and
     * what to tell a person (the problem's detail, unless the CLI knows better).
     */
    static final class Refused extends RuntimeException {
        final int status;
        final JsonNode problem;

        Refused(int status, JsonNode problem, String message) {
            super(message, null, false, false);
            this.status = status;
            this.problem = problem;
        }
    }

    /**
     * Nothing answered at the URL, or the service is unavailable (502, 503, 504): {@code why} in a few words, for
     * a notice while {@link Restarts} waits; {@code unsent} when the service surely did nothing with the request
     * (the connection was refused, or it answered 503), so that even a POST may be sent again.
     */
    static final class Unreachable extends RuntimeException {
        final String why;
        final boolean unsent;

        Unreachable(String message, String why, boolean unsent) {
            super(message, null, false, false);
            this.why = why;
            this.unsent = unsent;
        }
    }

    /** The service failed (500): the operation may or may not have happened. */
    static final class Failed extends RuntimeException {
        Failed(String message) {
            super(message, null, false, false);
        }
    }

    private final URI base;
    private final String key;
    /** The environment variable a key comes from when --key is not given (null: a deployment that names none), for a 401. */
    private final String keyVariable;
    private final HttpClient http;

    Api(String url, String key, String keyVariable) {
        this.base = URI.create(url.endsWith("/") ? url : url + "/");
        this.key = key == null || key.isBlank() ? null : key.trim();
        this.keyVariable = keyVariable;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    URI base() {
        return base;
    }

    /** The service's address as a person writes it, without a trailing slash. */
    String address() {
        String s = base.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    JsonNode get(String path) {
        return send(request(path).GET());
    }

    JsonNode post(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json").POST(json(body)));
    }

    JsonNode put(String path, Object body) {
        return send(request(path).header("Content-Type", "application/json").PUT(json(body)));
    }

    /** Sends a file's bytes as they are (a schema in JSON or YAML). */
    JsonNode send(String method, String path, String contentType, byte[] body) {
        return send(request(path).header("Content-Type", contentType).method(method, HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    void delete(String path) {
        send(request(path).DELETE());
    }

    /** A streamed response body (an export); the caller closes it. */
    InputStream stream(String path) {
        HttpResponse<InputStream> r = exchange(request(path).timeout(Duration.ofDays(1)).GET(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() >= 300) {
            try (InputStream in = r.body()) {
                fail(r.statusCode(), in.readAllBytes());
            } catch (IOException e) {
                throw new Unreachable("the service closed the connection: " + e.getMessage(), "connection closed", false);
            }
        }
        return r.body();
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path.startsWith("/") ? path.substring(1) : path))
                .timeout(Duration.ofMinutes(10)).header("Accept", "application/json, application/problem+json, application/x-ndjson");
        return key == null ? b : b.header("Authorization", "Bearer " + key);
    }

    private static HttpRequest.BodyPublisher json(Object body) {
        try {
            return HttpRequest.BodyPublishers.ofString(body instanceof String s ? s : JSON.writeValueAsString(body));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private JsonNode send(HttpRequest.Builder b) {
        HttpResponse<byte[]> r = exchange(b, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() >= 300) {
            fail(r.statusCode(), r.body());
        }
        try {
            return r.body().length == 0 ? MissingNode.getInstance() : JSON.readTree(r.body());
        } catch (IOException e) {
            throw new Failed("the service answered something that is not JSON");
        }
    }

    private <T> HttpResponse<T> exchange(HttpRequest.Builder b, HttpResponse.BodyHandler<T> handler) {
        HttpRequest request = b.build();
        try {
            return http.send(request, handler);
        } catch (HttpConnectTimeoutException e) {
            throw new Unreachable("nothing answers at " + base + " (" + e.getClass().getSimpleName() + "); is Docshift running there? Set --url or DOCSHIFT_URL.",
                    "no connection in time", true);
        } catch (ConnectException e) {
            throw new Unreachable("nothing answers at " + base + " (" + e.getClass().getSimpleName() + "); is Docshift running there? Set --url or DOCSHIFT_URL.",
                    "connection refused", true);
        } catch (HttpTimeoutException e) {
            throw new Unreachable(base + " did not answer in time", "no answer in time", false);
        } catch (IOException e) {
            throw new Unreachable("the connection to " + base + " failed: " + e.getMessage(), "connection lost", false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unreachable("interrupted", "interrupted", false);
        }
    }

    private void fail(int status, byte[] body) {
        JsonNode problem;
        try {
            problem = body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException e) {
            problem = JSON.createObjectNode().put("detail", new String(body, StandardCharsets.UTF_8));
        }
        if (status == 502 || status == 503 || status == 504) {
            throw new Unreachable("the service is unavailable (" + status + "): " + problem.path("detail").asText("retry later"), "HTTP " + status, status == 503);
        }
        if (status >= 500) {
            throw new Failed("the service failed (" + status + "): " + problem.path("detail").asText(""));
        }
        throw new Refused(status, problem, status == 401 ? unauthorized() : problem.path("detail").asText("HTTP " + status));
    }

    /** The service's 401 tells an HTTP client which header to send; a CLI user passes a key instead. */
    private String unauthorized() {
        String source = keyVariable == null ? "--key" : "--key or " + keyVariable;
        if (key != null) {
            return "the service does not accept the API key given (" + source + "); check it, or ask for a valid one";
        }
        return "the service needs an API key: pass --key KEY or " + (keyVariable == null ? "name the variable holding it as the deployment's key-env in the project file"
                : "set " + keyVariable);
    }
}
