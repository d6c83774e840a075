package io.docshift.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real high-availability PostgreSQL on this machine: one etcd and two Patroni nodes, each running a
 * PostgreSQL of its own under {@code target/servers/}, with short timings (ttl 10 s, loop_wait 1 s) so that a
 * failover takes seconds. Clients use the multi-host JDBC URL with {@code targetServerType=primary}.
 */
public final class PatroniCluster implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One Patroni node: its process, REST API port and PostgreSQL port. */
    public static final class Node {
        final String name;
        final Path dir;
        final int pgPort;
        final int apiPort;
        Process patroni;

        Node(String name, Path dir, int pgPort, int apiPort) {
            this.name = name;
            this.dir = dir;
            this.pgPort = pgPort;
            this.apiPort = apiPort;
        }

        public String name() {
            return name;
        }

        public int pgPort() {
            return pgPort;
        }
    }

    private final Path dir;
    private final Process etcd;
    private final List<Node> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private PatroniCluster(Path dir, Process etcd) {
        this.dir = dir;
        this.etcd = etcd;
    }

    /** Starts etcd and two Patroni nodes; returns when one is the leader and the other streams from it. */
    public static PatroniCluster start(String name, boolean synchronous) throws Exception {
        Path dir = OwnServers.freshDir(name);
        int client = OwnServers.freePort();
        int peer = OwnServers.freePort();
        Process etcd = OwnServers.start(dir.resolve("etcd.log"), "etcd", "--name", "e0", "--data-dir", dir.resolve("etcd").toString(),
                "--listen-client-urls", "http://127.0.0.1:" + client, "--advertise-client-urls", "http://127.0.0.1:" + client,
                "--listen-peer-urls", "http://127.0.0.1:" + peer, "--initial-advertise-peer-urls", "http://127.0.0.1:" + peer,
                "--initial-cluster", "e0=http://127.0.0.1:" + peer, "--initial-cluster-state", "new");
        PatroniCluster cluster = new PatroniCluster(dir, etcd);
        try {
            String scope = name + "-" + ProcessHandle.current().pid();
            for (int i = 0; i < 2; i++) {
                Node n = new Node("node" + i, dir.resolve("node" + i), OwnServers.freePort(), OwnServers.freePort());
                Files.createDirectories(n.dir);
                OwnServers.run(Duration.ofSeconds(10), "chown", "-R", "postgres:postgres", n.dir.toString());
                Files.writeString(n.dir.resolve("patroni.yml"), config(scope, n, client, synchronous));
                cluster.nodes.add(n);
            }
            for (Node n : cluster.nodes) {
                cluster.startNode(n);
                if (n == cluster.nodes.get(0)) {
                    cluster.awaitLeader(Duration.ofSeconds(90));
                }
            }
            cluster.awaitStreaming(synchronous, Duration.ofSeconds(90));
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    private static String config(String scope, Node n, int etcdPort, boolean synchronous) {
        return """
                scope: %s
                namespace: /docshift-test/
                name: %s
                restapi:
                  listen: 127.0.0.1:%d
                  connect_address: 127.0.0.1:%d
                etcd3:
                  hosts: 127.0.0.1:%d
                bootstrap:
                  dcs:
                    ttl: 10
                    loop_wait: 1
                    retry_timeout: 4
                    maximum_lag_on_failover: 1048576
                    synchronous_mode: %s
                    postgresql:
                      use_pg_rewind: false
                      parameters:
                        max_connections: 100
                        wal_level: replica
                        hot_standby: "on"
                        max_wal_senders: 10
                        max_replication_slots: 10
                        wal_keep_size: 256MB
                  initdb:
                    - encoding: UTF8
                    - auth: trust
                    - username: postgres
                  pg_hba:
                    - local all all trust
                    - host all all 127.0.0.1/32 trust
                    - host replication all 127.0.0.1/32 trust
                postgresql:
                  listen: 127.0.0.1:%d
                  connect_address: 127.0.0.1:%d
                  data_dir: %s
                  bin_dir: %s
                  pgpass: %s
                  authentication:
                    superuser:
                      username: postgres
                      password: postgres
                    replication:
                      username: replicator
                      password: replicator
                  parameters:
                    unix_socket_directories: '%s'
                    shared_buffers: 64MB
                """.formatted(scope, n.name, n.apiPort, n.apiPort, etcdPort, synchronous, n.pgPort, n.pgPort,
                n.dir.resolve("data"), OwnServers.PG_BIN, n.dir.resolve("pgpass"), n.dir);
    }

    private void startNode(Node n) throws IOException {
        n.patroni = OwnServers.start(n.dir.resolve("patroni.log"), "patroni", n.dir.resolve("patroni.yml").toString());
    }

    /** The multi-host JDBC URL of the cluster's {@code postgres} database, always the primary. */
    public String jdbcUrl() {
        StringBuilder hosts = new StringBuilder();
        for (Node n : nodes) {
            hosts.append(hosts.isEmpty() ? "" : ",").append("127.0.0.1:").append(n.pgPort);
        }
        return "jdbc:postgresql://" + hosts + "/postgres?targetServerType=primary";
    }

    /** The same, with the user, for a test's own connections. */
    public Database database() {
        return new Database(jdbcUrl() + "&user=postgres");
    }

    /** The node that is the leader now, per Patroni's REST API (GET /primary answers 200 on the leader only). */
    public Node leader() {
        for (Node n : nodes) {
            if (status(n, "/primary") == 200) {
                return n;
            }
        }
        return null;
    }

    public Node other(Node n) {
        return nodes.get(0) == n ? nodes.get(1) : nodes.get(0);
    }

    /** Waits until a node is the leader; returns it. */
    public Node awaitLeader(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Node l = leader();
            if (l != null) {
                return l;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("no Patroni leader within " + timeout + "; see " + dir);
    }

    /** Waits until the leader is {@code n}. */
    public void awaitLeaderIs(Node n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (status(n, "/primary") == 200) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(n.name + " did not become the leader within " + timeout + "; see " + dir);
    }

    /** Waits until the replica streams from the leader (as the synchronous standby, in synchronous mode). */
    private void awaitStreaming(boolean synchronous, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String want = synchronous ? "sync_standby" : "replica";
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + nodes.get(0).apiPort + "/cluster")).build(),
                        HttpResponse.BodyHandlers.ofString());
                last = r.body();
                JsonNode members = JSON.readTree(r.body()).path("members");
                for (JsonNode m : members) {
                    if (want.equals(m.path("role").asText()) && "streaming".equals(m.path("state").asText())
                            || want.equals(m.path("role").asText()) && "running".equals(m.path("state").asText()) && m.path("lag").asLong(-1) == 0) {
                        return;
                    }
                }
            } catch (IOException e) {
                last = e.toString();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("the replica did not stream as " + want + " within " + timeout + ": " + last);
    }

    /**
     * The node's machine dies: SIGKILL of its Patroni and of its PostgreSQL's postmaster (whose backends then
     * exit on their own), so nothing restarts it and its leader key expires.
     */
    public void killNode(Node n) throws Exception {
        long postmaster = Long.parseLong(Files.readAllLines(n.dir.resolve("data").resolve("postmaster.pid")).get(0).trim());
        n.patroni.destroyForcibly();
        n.patroni.waitFor();
        OwnServers.run(Duration.ofSeconds(10), "kill", "-KILL", Long.toString(postmaster));
    }

    private int status(Node n, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.apiPort + path)).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Stops everything: Patroni nodes (and their servers), then etcd. */
    @Override
    public void close() throws Exception {
        for (Node n : nodes) {
            if (n.patroni != null && n.patroni.isAlive()) {
                n.patroni.destroy();
                if (!n.patroni.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                    n.patroni.destroyForcibly();
                }
            }
            Path pid = n.dir.resolve("data").resolve("postmaster.pid");
            if (Files.exists(pid)) { // a server Patroni did not stop
                try {
                    OwnServers.runAsServerUser(Duration.ofSeconds(30), OwnServers.PG_BIN + "/pg_ctl", "stop", "-m", "immediate", "-D", n.dir.resolve("data").toString());
                } catch (IllegalStateException ignored) {
                    // not running
                }
            }
        }
        etcd.destroy();
        etcd.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }
}
