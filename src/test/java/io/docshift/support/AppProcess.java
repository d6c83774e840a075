package io.docshift.support;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One packaged Docshift process (the fast-jar that {@code ./mvnw package} builds) with its own port and
 * connection pool, against the test database: a "pod" for multi-process tests.
 */
public final class AppProcess implements AutoCloseable {

    /**
     * Small and quick to start for tests; benchmarks ({@code -Pbench}) run the app as in production, with the
     * full JIT ({@code docshift.test.app-jvm}).
     */
    private static final String[] JVM_OPTIONS = System.getProperty("docshift.test.app-jvm", "-Xmx256m -XX:TieredStopAtLevel=1").trim().split("\\s+");
    private static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");

    private final String name;
    private final int port;
    private final int managementPort;
    private final Process process;
    private final Path log;

    private AppProcess(String name, int port, int managementPort, Process process, Path log) {
        this.name = name;
        this.port = port;
        this.managementPort = managementPort;
        this.process = process;
        this.log = log;
    }

    /** Starts a process; {@code properties} are passed as {@code -Dkey=value}. Does not wait for it. */
    public static AppProcess start(String name, Map<String, String> properties) throws IOException {
        return start(name, freePort(), properties);
    }

    /** Starts a process on {@code port}: the same service again after a restart, as its clients see it. */
    public static AppProcess start(String name, int port, Map<String, String> properties) throws IOException {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException(JAR + " is missing: run ./mvnw package (or verify) first");
        }
        Path log = Path.of("target", "it-logs", name + ".log");
        Files.createDirectories(log.getParent());
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        command.addAll(List.of(JVM_OPTIONS));
        int managementPort = freePort();
        command.addAll(List.of("-Dquarkus.http.port=" + port, "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.datasource.jdbc.url=" + System.getProperty(TestDatabase.APP_URL, "jdbc:postgresql://localhost:5432/test"),
                "-Ddocshift.worker-id=" + name,
                "-Ddocshift.auth.enabled=false")); // the processes stand for pods behind the cluster's own access control
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-jar");
        command.add(JAR.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new AppProcess(name, port, managementPort, p, log);
    }

    public String baseUri() {
        return "http://localhost:" + port;
    }

    /** Where the probes and metrics are: the management interface's own port. */
    public String managementUri() {
        return "http://localhost:" + managementPort;
    }

    public int port() {
        return port;
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    /** The process's resident set size (VmRSS) in MiB. */
    public double rssMib() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        throw new IllegalStateException("no VmRSS for process " + process.pid());
    }

    /** Waits until {@code /q/health/ready} answers 200. */
    public AppProcess awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see " + log);
            }
            if (probe("/q/health/ready") == 200) {
                return this;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + " not ready within " + timeout + "; see " + log);
    }

    /** The HTTP status of a GET, or -1 when nothing answers. */
    public int status(String path) {
        return statusAt(baseUri() + path);
    }

    /** The HTTP status of a GET to the management interface (/q/health/*, /q/metrics), or -1 when nothing answers. */
    public int probe(String path) {
        return statusAt(managementUri() + path);
    }

    private static int statusAt(String url) {
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout(500);
            c.setReadTimeout(2000);
            int code = c.getResponseCode();
            c.disconnect();
            return code;
        } catch (IOException e) {
            return -1;
        }
    }

    public String logText() throws IOException {
        return Files.readString(log);
    }

    /** SIGTERM, without waiting. */
    public void terminate() {
        process.destroy();
    }

    /** Waits for the process to exit. */
    public boolean awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /** SIGTERM, then waits for the exit. */
    public void stop() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    /** SIGKILL: the process dies at once and its connections drop. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGSTOP: the process freezes with its connections open, as a paused or partitioned pod. */
    public void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    private void signal(String name) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited with " + exit);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }

    /** A port free on this machine now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
