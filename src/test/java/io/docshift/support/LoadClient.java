package io.docshift.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;
import java.util.function.Predicate;

/**
 * A client that keeps reading, inserting and patching documents of one table while a test changes things
 * under it, as a load balancer would: a request that cannot be served (connection refused or reset, 502-504)
 * is retried on the next target. It remembers every acknowledged write, so the test can prove none was lost:
 * each acknowledged insert must exist, and each document's {@code visits} must be the last value acknowledged.
 */
public final class LoadClient implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final List<String> targets = new CopyOnWriteArrayList<>();
    private final String table;
    private final IntFunction<String> newDocument;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<String> ids;
    private final Map<String, Long> visits = new ConcurrentHashMap<>();
    private final List<String> inserted = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final List<String> shapeViolations = new CopyOnWriteArrayList<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();
    private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    /** Start and end (System.nanoTime) of every acknowledged write. */
    private final java.util.Queue<long[]> acknowledgedWrites = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private volatile Predicate<JsonNode> expectedShape;
    private volatile IntFunction<String> newShapeDocument;
    private final List<Thread> threads = new ArrayList<>();

    /**
     * @param targets     base URLs (http://host:port) to spread requests over
     * @param ids         ids of documents that exist, to read and patch
     * @param newDocument the body of the n-th inserted document (in the shape of the active schema)
     */
    public LoadClient(List<String> targets, String table, List<String> ids, IntFunction<String> newDocument) {
        this.targets.addAll(targets);
        this.table = table;
        this.ids = new CopyOnWriteArrayList<>(ids);
        this.newDocument = newDocument;
    }

    public LoadClient start(int threadCount) {
        for (int i = 0; i < threadCount; i++) {
            long seed = i;
            Thread t = new Thread(() -> loop(new Random(seed)), "load-client-" + i);
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        return this;
    }

    /**
     * From now on, every document read must satisfy {@code shape} (documents are returned in the new shape), and
     * every other insert is {@code newDocument} (clients moving to the new shape while others have not yet).
     */
    public void expectShape(Predicate<JsonNode> shape, IntFunction<String> newDocument) {
        this.expectedShape = shape;
        this.newShapeDocument = newDocument;
    }

    private void loop(Random random) {
        int n = 0;
        while (running.get()) {
            n++;
            int op = random.nextInt(4);
            try {
                if (op < 2) {
                    read(ids.get(random.nextInt(ids.size())));
                } else if (op == 2) {
                    insert(n * 1000 + random.nextInt(1000));
                } else {
                    patch(ids.get(random.nextInt(ids.size())), random.nextInt(1_000_000));
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void read(String id) throws InterruptedException {
        Predicate<JsonNode> shape = expectedShape;
        HttpResponse<String> r = send("GET", "/api/tables/" + table + "/documents/" + id, null);
        if (r != null && r.statusCode() == 200 && shape != null) {
            try {
                JsonNode doc = MAPPER.readTree(r.body());
                if (!shape.test(doc)) {
                    shapeViolations.add(r.body());
                }
            } catch (java.io.IOException e) {
                failures.add("GET " + id + ": unreadable body " + r.body());
            }
        }
    }

    private void insert(int n) throws InterruptedException {
        IntFunction<String> moved = newShapeDocument;
        String body = moved != null && n % 2 == 1 ? moved.apply(n) : newDocument.apply(n);
        long start = System.nanoTime();
        HttpResponse<String> r = send("POST", "/api/tables/" + table + "/documents", body);
        if (r != null && r.statusCode() == 201) {
            acknowledgedWrites.add(new long[]{start, System.nanoTime()});
            try {
                String id = MAPPER.readTree(r.body()).get("_id").asText();
                inserted.add(id);
                ids.add(id);
            } catch (java.io.IOException e) {
                failures.add("POST: unreadable body " + r.body());
            }
        }
    }

    private void patch(String id, long value) throws InterruptedException {
        synchronized (idLock(id)) {
            long start = System.nanoTime();
            HttpResponse<String> r = send("PATCH", "/api/tables/" + table + "/documents/" + id, "{\"visits\":" + value + "}");
            if (r != null && r.statusCode() == 200) {
                acknowledgedWrites.add(new long[]{start, System.nanoTime()});
                visits.put(id, value);
            }
        }
    }

    private final Map<String, Object> locks = new ConcurrentHashMap<>();

    private Object idLock(String id) {
        return locks.computeIfAbsent(id, k -> new Object());
    }

    /** A pod became ready: the load balancer sends it traffic. */
    public void addTarget(String target) {
        targets.add(target);
    }

    /** A pod left the load balancer (readiness down, or gone). */
    public void removeTarget(String target) {
        targets.remove(target);
    }

    /** Sends to one target after another until one answers; a 4xx or 5xx answer (other than a gateway error) is a failure. */
    private HttpResponse<String> send(String method, String path, String body) throws InterruptedException {
        long n = requests.incrementAndGet();
        String last = null;
        long giveUp = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        for (int attempt = 0; attempt < 200 || System.nanoTime() < giveUp; attempt++) {
            List<String> live = List.copyOf(targets);
            if (live.isEmpty()) {
                Thread.sleep(20);
                continue;
            }
            String target = live.get((int) ((n + attempt) % live.size()));
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target + path)).timeout(Duration.ofSeconds(10));
            b = body == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                    : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
            try {
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                statuses.computeIfAbsent(r.statusCode(), k -> new AtomicLong()).incrementAndGet();
                if (r.statusCode() == 502 || r.statusCode() == 503 || r.statusCode() == 504) {
                    last = method + " " + path + " -> " + r.statusCode();
                } else if (r.statusCode() >= 400) {
                    failures.add(method + " " + path + " " + (body == null ? "" : body) + " -> " + r.statusCode() + " " + r.body());
                    return null;
                } else {
                    return r;
                }
            } catch (java.io.IOException e) {
                last = method + " " + path + " -> " + e;
            }
            retries.incrementAndGet();
            Thread.sleep(20); // as a load balancer's retry: the next pod, after a moment

        }
        failures.add("no target answered: " + last);
        return null;
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(60_000);
        }
    }

    public long requests() {
        return requests.get();
    }

    public long retries() {
        return retries.get();
    }

    /** Responses with {@code status} so far, retried ones included. */
    public long responses(int status) {
        AtomicLong n = statuses.get(status);
        return n == null ? 0 : n.get();
    }

    /**
     * The longest time without an acknowledged write between {@code from} and {@code to} (System.nanoTime), in
     * seconds: how long writes stopped during an outage in between.
     */
    public double longestWriteGap(long from, long to) {
        long[] ends = acknowledgedWrites.stream().mapToLong(w -> w[1]).filter(t -> t - from > 0 && to - t >= 0).sorted().toArray();
        long previous = from;
        long longest = 0;
        for (long t : ends) {
            longest = Math.max(longest, t - previous);
            previous = t;
        }
        return Math.max(longest, to - previous) / 1e9;
    }

    /** When (System.nanoTime) the first acknowledged write that was sent after {@code nanos} was acknowledged; -1 if none yet. */
    public long firstWriteSentAfter(long nanos) {
        return acknowledgedWrites.stream().filter(w -> w[0] - nanos > 0).mapToLong(w -> w[1]).min().orElse(-1);
    }

    public List<String> failures() {
        return failures;
    }

    public List<String> shapeViolations() {
        return shapeViolations;
    }

    /**
     * Asserts that no acknowledged write is lost in the document table {@code physical}: every acknowledged
     * insert is there, and every patched document holds the last value acknowledged for it.
     */
    public void assertAcknowledgedWritesKept(String physical) throws java.sql.SQLException {
        assertAcknowledgedWritesKept(TestDb.SHARED, physical);
    }

    /** As {@link #assertAcknowledgedWritesKept(String)}, in {@code db}. */
    public void assertAcknowledgedWritesKept(Database db, String physical) throws java.sql.SQLException {
        org.junit.jupiter.api.Assertions.assertEquals(inserted.size(), storedInserts(db, physical), "every acknowledged insert is stored");
        Map<String, Long> stored = storedVisits(db, physical);
        stored.forEach((id, value) -> org.junit.jupiter.api.Assertions.assertEquals(visits.get(id), value, "the last acknowledged patch of " + id));
        org.junit.jupiter.api.Assertions.assertEquals(visits.size(), stored.size(), "every patched document is still there");
        org.junit.jupiter.api.Assertions.assertTrue(visits.size() > 10, "the client kept patching: " + visits.size());
    }

    /**
     * How many acknowledged writes {@code physical} in {@code db} does not hold: inserts missing, and patched
     * documents missing or holding another value than the last one acknowledged (what a failover with
     * asynchronous replication may lose).
     */
    public long lostAcknowledgedWrites(Database db, String physical) throws java.sql.SQLException {
        Map<String, Long> stored = storedVisits(db, physical);
        long stalePatches = visits.entrySet().stream().filter(e -> !e.getValue().equals(stored.get(e.getKey()))).count();
        return inserted.size() - storedInserts(db, physical) + stalePatches;
    }

    /** How many of the acknowledged inserts {@code physical} holds. */
    private long storedInserts(Database db, String physical) throws java.sql.SQLException {
        try (java.sql.Connection c = db.connect();
             java.sql.PreparedStatement p = c.prepareStatement("select count(*) from " + physical + " where docshift.id_text(id) = any(?)")) {
            p.setArray(1, c.createArrayOf("text", inserted.toArray()));
            try (java.sql.ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /** The stored {@code visits} of every document this client patched that {@code physical} still holds. */
    private Map<String, Long> storedVisits(Database db, String physical) throws java.sql.SQLException {
        Map<String, Long> stored = new java.util.HashMap<>();
        try (java.sql.Connection c = db.connect();
             java.sql.PreparedStatement p = c.prepareStatement("select docshift.id_text(id), (data->>'visits')::bigint from " + physical
                     + " where docshift.id_text(id) = any(?)")) {
            p.setArray(1, c.createArrayOf("text", visits.keySet().toArray()));
            try (java.sql.ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    stored.put(r.getString(1), r.getLong(2));
                }
            }
        }
        return stored;
    }

    /** Ids this client inserted and got acknowledged. */
    public List<String> inserted() {
        return inserted;
    }

    /** The last acknowledged {@code visits} of every document this client patched. */
    public Map<String, Long> acknowledgedVisits() {
        return visits;
    }
}
