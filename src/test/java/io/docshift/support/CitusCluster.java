package io.docshift.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A Citus cluster of a test's own: a coordinator and {@code workers} workers, each a PostgreSQL server (Debian's,
 * with the citus extension built into it) on a port of its own with its data under {@code target/servers/}, run
 * as the {@code postgres} user with {@code HOME=/var/lib/postgresql}. The workers are added to the coordinator's
 * metadata; Docshift talks to the coordinator only. Closing it stops every server.
 */
public final class CitusCluster implements AutoCloseable {

    /** The extension's library: without it the suites that need a cluster are skipped (failed under CI=true). */
    public static final Tools.Tool CITUS = new Tools.Tool(Path.of(OwnServers.PG_BIN).getParent().resolve("lib").resolve("citus.so").toString(), null,
            "build Citus 13.0.5 from ../shared/vendor/citus-13.0.5.tar.gz as .ci/run does (apt-get install postgresql-server-dev-15 libkrb5-dev"
                    + " liblz4-dev libzstd-dev libssl-dev libicu-dev flex bison; ./configure --without-libcurl && make -j2 && make install)");
    private static final Path HOME = Path.of("/var/lib/postgresql");

    private final List<Node> nodes;

    private record Node(Path dir, int port) {
    }

    private CitusCluster(List<Node> nodes) {
        this.nodes = nodes;
    }

    /** Creates, starts and joins a coordinator and {@code workers} workers; their database {@code postgres} holds the extension. */
    public static CitusCluster start(String name, int workers) throws Exception {
        List<Node> nodes = new ArrayList<>();
        CitusCluster cluster = new CitusCluster(nodes);
        try {
            for (int i = 0; i <= workers; i++) {
                nodes.add(startNode(OwnServers.freshDir(name + "-" + (i == 0 ? "coordinator" : "worker" + i))));
            }
            for (Node n : nodes) {
                cluster.execute(n, "create extension if not exists citus");
            }
            cluster.execute(nodes.get(0), "select citus_set_coordinator_host('127.0.0.1', " + nodes.get(0).port() + ")");
            for (Node w : nodes.subList(1, nodes.size())) {
                cluster.execute(nodes.get(0), "select citus_add_node('127.0.0.1', " + w.port() + ")");
            }
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    private static Node startNode(Path dir) throws Exception {
        int port = OwnServers.freePort();
        Path data = dir.resolve("data");
        OwnServers.runAsServerUser(Duration.ofMinutes(2), HOME, OwnServers.PG_BIN + "/initdb", "-D", data.toString(), "-A", "trust", "-U", "postgres",
                "-E", "UTF8", "--no-sync", "--no-instructions");
        // a disposable cluster: durability buys the tests nothing
        Files.writeString(data.resolve("postgresql.auto.conf"), "port = " + port + "\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '" + dir
                + "'\nshared_preload_libraries = 'citus'\ncitus.node_conninfo = 'sslmode=disable'\nmax_connections = 100\nshared_buffers = 32MB\n"
                + "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_worker_processes = 16\n", StandardOpenOption.APPEND);
        Node node = new Node(dir, port);
        pgCtl(node, "start", "-l", dir.resolve("server.log").toString());
        return node;
    }

    /** The JDBC URL of the coordinator's {@code postgres} database, where Docshift connects. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + nodes.get(0).port() + "/postgres";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl() + "?user=postgres");
    }

    /** How many workers joined. */
    public int workers() {
        return nodes.size() - 1;
    }

    /** The JDBC URL (with its user) of worker {@code i} (1-based): to look at the shards it holds. */
    public String workerUrl(int i) {
        return "jdbc:postgresql://127.0.0.1:" + nodes.get(i).port() + "/postgres?user=postgres";
    }

    private void execute(Node n, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + n.port() + "/postgres?user=postgres");
             Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    private static void pgCtl(Node n, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(OwnServers.PG_BIN + "/pg_ctl"));
        command.addAll(List.of(args)); // the mode first, then its options
        command.addAll(List.of("-D", n.dir().resolve("data").toString(), "-w", "-s"));
        OwnServers.runAsServerUser(Duration.ofMinutes(1), HOME, command.toArray(String[]::new));
    }

    /** Stops every server (immediately: the cluster is thrown away). */
    @Override
    public void close() throws Exception {
        Exception first = null;
        for (Node n : nodes) {
            try {
                pgCtl(n, "stop", "-m", "immediate");
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
