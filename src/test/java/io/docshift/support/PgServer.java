package io.docshift.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;

/**
 * A PostgreSQL server of a test's own, on its own port with its data under {@code target/servers/}: for what
 * the shared server must never go through (a restart under load).
 */
public final class PgServer implements AutoCloseable {

    private final Path dir;
    private final int port;

    private PgServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** initdb (trust auth, user postgres) and start. */
    public static PgServer start(String name) throws Exception {
        Path dir = OwnServers.freshDir(name);
        int port = OwnServers.freePort();
        Path data = dir.resolve("data");
        OwnServers.runAsServerUser(Duration.ofMinutes(2), OwnServers.PG_BIN + "/initdb", "-D", data.toString(), "-A", "trust", "-U", "postgres",
                "-E", "UTF8", "--no-sync", "--no-instructions");
        Files.writeString(data.resolve("postgresql.auto.conf"), "port = " + port + "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '" + dir
                + "'\nmax_connections = 100\nfsync = on\nsynchronous_commit = on\nshared_buffers = 64MB\n", java.nio.file.StandardOpenOption.APPEND);
        PgServer server = new PgServer(dir, port);
        server.pgCtl("start", "-l", dir.resolve("server.log").toString());
        return server;
    }

    public int port() {
        return port;
    }

    /** The JDBC URL of its {@code postgres} database. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl() + "?user=postgres");
    }

    /** {@code pg_ctl restart -m fast}: every session ends, the server is back when this returns. */
    public void restartFast() throws Exception {
        pgCtl("restart", "-m", "fast", "-l", dir.resolve("server.log").toString());
    }

    private void pgCtl(String... args) throws Exception {
        java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of(OwnServers.PG_BIN + "/pg_ctl"));
        command.addAll(java.util.List.of(args)); // the mode first, then its options
        command.addAll(java.util.List.of("-D", dir.resolve("data").toString(), "-w", "-s"));
        OwnServers.runAsServerUser(Duration.ofMinutes(1), command.toArray(String[]::new));
    }

    @Override
    public void close() throws Exception {
        pgCtl("stop", "-m", "immediate");
    }
}
