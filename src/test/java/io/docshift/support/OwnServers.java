package io.docshift.support;

import io.docshift.localdb.LocalPostgres;
import io.docshift.localdb.ServerUser;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Processes the tests start beside the shared PostgreSQL: servers of their own (PostgreSQL, Patroni, etcd,
 * PgBouncer) with their files under {@code target/servers/}. PostgreSQL and PgBouncer refuse to run as root,
 * so when the tests run as root these run as {@link ServerUser}'s user ({@code postgres}, or {@code nobody}
 * without it), through {@code setpriv}, which execs the command itself: killing the process kills the server.
 */
public final class OwnServers {

    public static final Path ROOT = Path.of("target", "servers").toAbsolutePath();
    /** Debian's PostgreSQL server binaries (package postgresql), or null where they are not installed. */
    public static final String SYSTEM_PG_BIN = firstExisting("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin",
            "/usr/lib/postgresql/14/bin", "/usr/lib/postgresql/13/bin");
    /** The binaries the tests' own servers run: Debian's where installed, else the local PostgreSQL's from Maven Central. */
    public static final String PG_BIN = SYSTEM_PG_BIN != null ? SYSTEM_PG_BIN : localBinaries();
    private static final boolean ROOT_USER = "root".equals(System.getProperty("user.name"));

    private OwnServers() {
    }

    /** A fresh, empty directory {@code target/servers/name}, owned by the user the servers run as. */
    public static Path freshDir(String name) throws IOException, InterruptedException {
        Path dir = ROOT.resolve(name);
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(dir);
        if (ROOT_USER) {
            run(Duration.ofSeconds(10), "chown", "-R", ServerUser.name() + ":", ROOT.toString());
        }
        return dir;
    }

    /** The command, as the servers' user. */
    public static List<String> asServerUser(String... command) {
        List<String> c = new ArrayList<>();
        if (ROOT_USER) {
            return ServerUser.command(List.of(command));
        }
        c.addAll(List.of(command));
        return c;
    }

    /** Runs a command as the servers' user and waits for it; its output is the exception's message when it fails. */
    public static String runAsServerUser(Duration timeout, String... command) throws IOException, InterruptedException {
        return run(timeout, asServerUser(command).toArray(String[]::new));
    }

    /** {@link #runAsServerUser(Duration, String...)} with {@code HOME} set to {@code home}. */
    public static String runAsServerUser(Duration timeout, Path home, String... command) throws IOException, InterruptedException {
        ProcessBuilder b = builder(asServerUser(command));
        b.environment().put("HOME", home.toString());
        return run(b, timeout, command);
    }

    /** Runs a command and waits for it; its output is the exception's message when it fails. */
    public static String run(Duration timeout, String... command) throws IOException, InterruptedException {
        return run(builder(List.of(command)), timeout, command);
    }

    private static String run(ProcessBuilder b, Duration timeout, String... command) throws IOException, InterruptedException {
        Process p = b.redirectErrorStream(true).start();
        Path out = Files.createTempFile("server-command", ".log");
        try {
            Thread pump = new Thread(() -> {
                try {
                    Files.write(out, p.getInputStream().readAllBytes());
                } catch (IOException ignored) {
                    // the process went away
                }
            });
            pump.start();
            if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not end within " + timeout);
            }
            pump.join();
            String text = Files.readString(out);
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + text);
            }
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Starts a long-running server process as the servers' user, its output in {@code log}. */
    public static Process start(Path log, String... command) throws IOException {
        return builder(asServerUser(command)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static ProcessBuilder builder(List<String> command) {
        ProcessBuilder b = new ProcessBuilder(command);
        if (ROOT_USER) {
            b.environment().put("HOME", ROOT.toString());
        }
        return b;
    }

    /** A TCP port nothing listens on now. */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String firstExisting(String... dirs) {
        for (String d : dirs) {
            if (Files.isExecutable(Path.of(d, "pg_ctl"))) {
                return d;
            }
        }
        return null;
    }

    private static String localBinaries() {
        try {
            return LocalPostgres.binDirectory().toString();
        } catch (IOException e) {
            throw new IllegalStateException("no PostgreSQL binaries: neither Debian's package postgresql nor Maven Central's", e);
        }
    }
}
