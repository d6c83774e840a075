package io.docshift.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A real PgBouncer (Debian's package) in front of the shared test database, in session or transaction mode. */
public final class PgBouncer implements AutoCloseable {

    private final Process process;
    private final int port;

    private PgBouncer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static PgBouncer start(String name, String poolMode) throws Exception {
        Path dir = OwnServers.freshDir(name);
        int port = OwnServers.freePort();
        Files.writeString(dir.resolve("userlist.txt"), "\"postgres\" \"\"\n");
        // pgjdbc sends extra_float_digits in its startup message; PgBouncer must be told to let it pass
        Files.writeString(dir.resolve("pgbouncer.ini"), """
                [databases]
                test = host=%s port=%s dbname=%s
                [pgbouncer]
                listen_addr = 127.0.0.1
                listen_port = %d
                unix_socket_dir =
                auth_type = trust
                auth_file = %s
                pool_mode = %s
                max_client_conn = 500
                default_pool_size = 60
                ignore_startup_parameters = extra_float_digits
                logfile = %s
                """.formatted(TestDb.HOST, TestDb.PORT, TestDb.DATABASE, port, dir.resolve("userlist.txt"), poolMode, dir.resolve("pgbouncer.log")));
        OwnServers.run(Duration.ofSeconds(10), "chown", "-R", "postgres:postgres", dir.toString());
        Process p = OwnServers.start(dir.resolve("stdout.log"), "pgbouncer", dir.resolve("pgbouncer.ini").toString());
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                return new PgBouncer(p, port);
            } catch (java.io.IOException e) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("pgbouncer exited: " + Files.readString(dir.resolve("stdout.log")));
                }
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("pgbouncer did not listen on " + port);
    }

    /** The JDBC URL of the test database through this PgBouncer. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/test";
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }
}
