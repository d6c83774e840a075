package io.docshift.bench;

import io.docshift.support.AppProcess;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;

/**
 * REST throughput and latency of the packaged app under wrk (32 connections), each operation beside the same
 * operation done by plain JDBC on the same database and data (32 threads, a connection each): the ceiling for
 * any service on this machine. Then GET-by-id throughput with 1, 2 and 3 app processes.
 * Needs {@code wrk} ({@code apt-get install wrk}).
 */
class RestThroughputBench {

    static final int DOCUMENTS = Integer.getInteger("bench.rest.documents", 100_000);
    static final int CONNECTIONS = 32;
    static final Duration DURATION = Duration.ofSeconds(Integer.getInteger("bench.rest.seconds", 10));
    static final String TABLE = TestDb.freshTable("rest");
    static final String SCHEMA = "{\"tables\":{\"" + TABLE + "\":{\"document\":{"
            + "\"name\":{\"type\":\"string\"},\"email\":{\"type\":\"string\"},\"status\":{\"type\":\"union\",\"members\":["
            + "{\"type\":\"literal\",\"value\":\"active\"},{\"type\":\"literal\",\"value\":\"trial\"},{\"type\":\"literal\",\"value\":\"gone\"}]},"
            + "\"orgId\":{\"type\":\"string\"},\"age\":{\"type\":\"number\"},\"active\":{\"type\":\"boolean\"},\"score\":{\"type\":\"number\"},"
            + "\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},\"address\":{\"type\":\"object\",\"fields\":{\"city\":{\"type\":\"string\"}}},"
            + "\"visits\":{\"type\":\"number\",\"optional\":true}},"
            + "\"indexes\":[{\"name\":\"by_org\",\"fields\":[\"orgId\"]}]}}}";
    static final String BODY_SQL = "jsonb_build_object('name', 'n' || g, 'email', 'e' || g || '@x.io', 'status', (array['active','trial','gone'])[g % 3 + 1],"
            + " 'orgId', 'org' || (g % 500), 'age', g % 90, 'active', g % 2 = 0, 'score', g * 0.5, 'tags', jsonb_build_array('a', 'b'),"
            + " 'address', jsonb_build_object('city', 'c' || (g % 50)), 'visits', 0)";
    static final String INSERT_BODY = "{\"name\":\"new\",\"email\":\"new@x.io\",\"status\":\"trial\",\"orgId\":\"org7\",\"age\":33,\"active\":true,"
            + "\"score\":1.5,\"tags\":[\"a\",\"b\"],\"address\":{\"city\":\"c1\"},\"visits\":0}";

    /** Requests per second and latency percentiles in milliseconds. */
    record Load(double rps, double p50, double p99) {
    }

    @Test
    void restBesideJdbc() throws Exception {
        Path dir = Files.createDirectories(BenchReport.DIR);
        List<AppProcess> pods = new ArrayList<>();
        try {
            pods.add(AppProcess.start("bench-0", Map.of()).awaitReady(Duration.ofSeconds(90)));
            String base = pods.get(0).baseUri();
            given().baseUri(base).contentType("application/json").body(SCHEMA).put("/api/schema").then().statusCode(200);
            TestDb.bulkLoad(TABLE, DOCUMENTS, BODY_SQL);
            awaitIndex(base);
            String physical = TestDb.physical(TABLE);
            List<String> ids = new ArrayList<>();
            List<UUID> uuids = new ArrayList<>();
            try (Connection c = TestDb.connect();
                 ResultSet r = c.createStatement().executeQuery("select id, docshift.id_text(id) from " + physical + " order by random() limit 20000")) {
                while (r.next()) {
                    uuids.add(r.getObject(1, UUID.class));
                    ids.add(r.getString(2));
                }
            }
            Files.write(dir.resolve("ids.txt"), ids);
            String docs = "/api/tables/" + TABLE + "/documents";
            Path get = lua(dir, "get.lua", idsLoader(dir) + "request = function() return wrk.format(\"GET\", \"" + docs + "/\" .. ids[math.random(#ids)]) end\n");
            Path query = lua(dir, "query.lua", "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
                    + "request = function() return wrk.format(\"POST\", \"/api/tables/" + TABLE + "/query\", nil,"
                    + " '{\"index\":\"by_org\",\"eq\":{\"orgId\":\"org' .. math.random(0, 499) .. '\"},\"limit\":20}') end\n");
            Path patch = lua(dir, "patch.lua", idsLoader(dir) + "wrk.headers[\"Content-Type\"] = \"application/json\"\n"
                    + "request = function() return wrk.format(\"PATCH\", \"" + docs + "/\" .. ids[math.random(#ids)], nil, '{\"visits\":' .. math.random(1, 1000000) .. '}') end\n");
            Path insert = lua(dir, "insert.lua", "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = '" + INSERT_BODY + "'\n");

            JdbcCeiling jdbc = new JdbcCeiling(physical, uuids);
            AppProcess pod = pods.get(0);
            BenchReport.record("memory", "resident size, idle after start", pod.rssMib(), "MiB", "VmRSS of the app process", true);
            // warm both sides up first: the JIT of a fresh process (C2 is still compiling after one run of each
            // here), and PostgreSQL's caches
            for (int round = 0; round < 2; round++) {
                wrk(base + docs, get, CONNECTIONS);
                wrk(base, query, CONNECTIONS);
                wrk(base, patch, CONNECTIONS);
                wrk(base + docs, insert, CONNECTIONS);
            }
            jdbc.run(JdbcCeiling.Op.GET, CONNECTIONS, DURATION);
            if ("open-loop".equals(System.getProperty("bench.rest.only"))) {
                openLoop(pod.port(), docs + "/", ids, uuids, physical, jdbc.run(JdbcCeiling.Op.GET, CONNECTIONS, DURATION).rps(), wrk(base + docs, get, CONNECTIONS).rps());
                return;
            }
            double[] rssUnderLoad = new double[1];
            Thread sampler = new Thread(() -> {
                try {
                    Thread.sleep(DURATION.toMillis() / 2);
                    rssUnderLoad[0] = pod.rssMib();
                } catch (Exception e) {
                    rssUnderLoad[0] = -1;
                }
            });
            sampler.start();
            Load restGet = wrk(base + docs, get, CONNECTIONS);
            sampler.join();
            Load jdbcGet = jdbc.run(JdbcCeiling.Op.GET, CONNECTIONS, DURATION);
            compare("GET by id", restGet, jdbcGet, 0.7);
            BenchReport.record("rest", "GET by id p99 / JDBC p99", restGet.p99() / jdbcGet.p99(), "x", "target <= 3x", restGet.p99() <= 3 * jdbcGet.p99());
            BenchReport.record("memory", "resident size under the GET load", rssUnderLoad[0], "MiB", "VmRSS halfway through the 32-connection GET run", true);
            compare("index query page", wrk(base, query, CONNECTIONS), jdbc.run(JdbcCeiling.Op.QUERY, CONNECTIONS, DURATION), null);
            compare("merge patch", wrk(base, patch, CONNECTIONS), jdbc.run(JdbcCeiling.Op.PATCH, CONNECTIONS, DURATION), 0.5);
            compare("insert (10 fields)", wrk(base + docs, insert, CONNECTIONS), jdbc.run(JdbcCeiling.Op.INSERT, CONNECTIONS, DURATION), 0.6);
            // where the time goes: a profile of a further insert run (the recording has its own cost, so not of the measured one)
            Profile.Recording profile = Profile.start(pod.pid(), dir.resolve("insert.jfr"));
            wrk(base + docs, insert, CONNECTIONS);
            profile.stopAndReport("insert");
            openLoop(pod.port(), docs + "/", ids, uuids, physical, jdbcGet.rps(), restGet.rps());
            batchBesideCopy(base + docs + "/batch", physical);
            BenchReport.record("memory", "resident size, idle after the loads", pod.rssMib(), "MiB", "VmRSS of the app process", true);

            // scale: the same GET load spread over 1, 2 and 3 processes
            double one = 0;
            double oneMigration = 0;
            for (int n = 1; n <= 3; n++) {
                while (pods.size() < n) {
                    AppProcess fresh = AppProcess.start("bench-" + pods.size(), Map.of()).awaitReady(Duration.ofSeconds(90));
                    wrk(fresh.baseUri() + docs, get, CONNECTIONS); // its JIT warms up before it counts
                    pods.add(fresh);
                }
                List<Thread> threads = new ArrayList<>();
                double[] rps = new double[n];
                int perProcess = Math.max(2, CONNECTIONS / n);
                for (int i = 0; i < n; i++) {
                    int k = i;
                    String target = pods.get(i).baseUri() + docs;
                    Thread t = new Thread(() -> rps[k] = wrk(target, get, perProcess).rps());
                    threads.add(t);
                    t.start();
                }
                for (Thread t : threads) {
                    t.join();
                }
                double total = 0;
                for (double r : rps) {
                    total += r;
                }
                one = n == 1 ? total : one;
                BenchReport.record("scale", "GET by id, " + n + " process(es)", total, "req/s",
                        String.format(Locale.ROOT, "%.2fx one process; 32 connections in all, on the same 2 cores as PostgreSQL", total / one), true);
                double rate = migrationRate(pods.get(0).baseUri(), 300_000);
                oneMigration = n == 1 ? rate : oneMigration;
                BenchReport.record("scale", "migration, " + n + " process(es)", rate, "docs/s",
                        String.format(Locale.ROOT, "%.2fx one process; one run is worked by one process at a time", rate / oneMigration), true);
            }
        } finally {
            for (AppProcess p : pods) {
                p.close();
            }
        }
    }

    /**
     * GET by id paced at 25, 50 and 75% of the JDBC ceiling's closed-loop rate, and at 50 and 75% of Docshift's
     * own (wrk's) closed-loop rate, REST and JDBC at the same rates: p50, p99 and p99.9 from each request's due
     * time, and the rate REST answered at (below the paced one when the pace is beyond what it can serve: then
     * its latencies are a queue that grows with the run, not a service time).
     */
    private static void openLoop(int port, String path, List<String> ids, List<UUID> uuids, String physical, double jdbcCeiling, double restCeiling)
            throws Exception {
        Map<String, Integer> rates = new java.util.LinkedHashMap<>();
        for (int percent : new int[]{25, 50, 75}) {
            rates.put(percent + "% of the JDBC ceiling", (int) (jdbcCeiling * percent / 100));
        }
        for (int percent : new int[]{50, 75}) {
            rates.put(percent + "% of Docshift's closed-loop rate", (int) (restCeiling * percent / 100));
        }
        Supplier<String> anyId = () -> path + ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
        for (Map.Entry<String, Integer> e : rates.entrySet()) {
            int rate = e.getValue();
            // a few seconds at the rate first, not counted: the generator's own JIT and the server's connections warm up
            OpenLoop.rawGets("localhost", port, rate, Duration.ofSeconds(3), CONNECTIONS, anyId);
            OpenLoop.Result rest = OpenLoop.rawGets("localhost", port, rate, DURATION, CONNECTIONS, anyId);
            OpenLoop.Result plain = OpenLoop.jdbc(rate, DURATION, CONNECTIONS, c -> {
                try (PreparedStatement p = c.prepareStatement("select id, data::text from " + physical + " where id = ?")) {
                    p.setObject(1, uuids.get(ThreadLocalRandom.current().nextInt(uuids.size())));
                    try (ResultSet r = p.executeQuery()) {
                        r.next();
                        r.getString(2);
                    }
                }
            });
            String what = "GET by id paced at " + rate + " req/s (" + e.getKey() + ")";
            double answered = rest.answeredPerSecond();
            String pace = answered < 0.95 * rate
                    ? String.format(Locale.ROOT, "beyond Docshift's capacity: it answered %.0f req/s, so this is a queue, not a service time", answered)
                    : String.format(Locale.ROOT, "answered %.0f req/s", answered);
            boolean ok = rest.failed() == 0;
            BenchReport.record("open-loop", what + " p50", rest.ms(0.5), "ms", String.format(Locale.ROOT, "JDBC %.2f ms; %s", plain.ms(0.5), pace), ok);
            BenchReport.record("open-loop", what + " p99", rest.ms(0.99), "ms", String.format(Locale.ROOT, "JDBC %.2f ms; %d failed", plain.ms(0.99), rest.failed()), ok);
            BenchReport.record("open-loop", what + " p99.9", rest.ms(0.999), "ms", String.format(Locale.ROOT, "JDBC %.2f ms", plain.ms(0.999)), ok);
        }
    }

    /** One REST batch of 10,000 documents against COPY of the same 10,000 rows into the same table: median of 5 each. */
    private static void batchBesideCopy(String url, String physical) throws Exception {
        int n = 10_000;
        String batch = "[" + String.join(",", java.util.Collections.nCopies(n, INSERT_BODY)) + "]";
        List<Double> rest = new ArrayList<>();
        List<Double> copy = new ArrayList<>();
        for (int round = 0; round < 6; round++) {
            long t0 = System.nanoTime();
            given().contentType("application/json").body(batch).post(url).then().statusCode(201);
            double restSeconds = (System.nanoTime() - t0) / 1e9;
            StringBuilder rows = new StringBuilder();
            long now = System.currentTimeMillis();
            for (int i = 0; i < n; i++) {
                rows.append(UUID.randomUUID()).append('\t').append(now).append("\t0\t0\t").append(INSERT_BODY).append('\n');
            }
            long t1 = System.nanoTime();
            try (Connection c = TestDb.connect()) {
                c.unwrap(org.postgresql.PGConnection.class).getCopyAPI()
                        .copyIn("copy " + physical + " (id, creation_time, schema_version, revision, data) from stdin", new java.io.StringReader(rows.toString()));
            }
            double copySeconds = (System.nanoTime() - t1) / 1e9;
            if (round > 0) { // the first round warms both up
                rest.add(n / restSeconds);
                copy.add(n / copySeconds);
            }
        }
        rest.sort(null);
        copy.sort(null);
        double r = rest.get(rest.size() / 2);
        double c = copy.get(copy.size() / 2);
        BenchReport.record("rest", "batch insert of 10,000 documents", r, "docs/s",
                String.format(Locale.ROOT, "COPY of the same rows %.0f docs/s (a fresh connection each, as a loader would); ratio %.2f (target >= 0.5)", c, r / c), r / c >= 0.5);
    }

    /** Backfills a missing field on half of a fresh table of {@code documents}; the run's own documents per second. */
    static double migrationRate(String base, int documents) throws Exception {
        String table = TestDb.freshTable("scale");
        given().baseUri(base).contentType("application/json").body("{\"seed\":0}").post("/api/tables/" + table + "/documents").then().statusCode(201);
        TestDb.bulkLoad(table, documents - 1, "case when g % 2 = 0 then jsonb_build_object('n', g, 'status', 'vip') else jsonb_build_object('n', g) end");
        String name = "scale_" + table;
        given().baseUri(base).contentType("application/json").body("{\"table\":\"" + table + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"active\"}]}")
                .put("/api/migrations/" + name).then().statusCode(201);
        long run = given().baseUri(base).contentType("application/json").body("{}").post("/api/migrations/" + name + "/runs").then().statusCode(202)
                .extract().jsonPath().getLong("runId");
        Runs.awaitEndInDatabase(run, Duration.ofMinutes(5));
        io.restassured.path.json.JsonPath r = given().baseUri(base).get("/api/migrations/runs/" + run).then().extract().jsonPath();
        if (!"completed".equals(r.getString("state"))) {
            throw new IllegalStateException("run " + run + " did not complete: " + r.prettify());
        }
        double seconds = Duration.between(java.time.OffsetDateTime.parse(r.getString("startedAt")), java.time.OffsetDateTime.parse(r.getString("finishedAt"))).toNanos() / 1e9;
        return r.getLong("processed") / seconds;
    }

    private static void compare(String op, Load docshift, Load jdbc, Double target) {
        double ratio = docshift.rps() / jdbc.rps();
        BenchReport.record("rest", op + " req/s", docshift.rps(), "req/s",
                String.format(Locale.ROOT, "JDBC %.0f req/s; ratio %.2f%s", jdbc.rps(), ratio, target == null ? "" : " (target >= " + target + ")"),
                target == null || ratio >= target);
        BenchReport.record("rest", op + " p50", docshift.p50(), "ms", String.format(Locale.ROOT, "JDBC p50 %.2f ms", jdbc.p50()), true);
        BenchReport.record("rest", op + " p99", docshift.p99(), "ms", String.format(Locale.ROOT, "JDBC p99 %.2f ms", jdbc.p99()), true);
    }

    private static String idsLoader(Path dir) {
        return "ids = {}\nfor line in io.lines(\"" + dir.resolve("ids.txt").toAbsolutePath() + "\") do ids[#ids + 1] = line end\n"
                + "math.randomseed(os.time() + math.floor(os.clock() * 1000000))\n";
    }

    private static Path lua(Path dir, String name, String script) throws IOException {
        return Files.writeString(dir.resolve(name), script);
    }

    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
    private static final Pattern PCT = Pattern.compile("^\\s+(50|99)%\\s+([0-9.]+)(us|ms|s)\\s*$", Pattern.MULTILINE);
    private static final Pattern ERRORS = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");

    /** Runs wrk; a benchmark whose requests fail is not a figure, so non-2xx answers stop it. */
    static Load wrk(String url, Path script, int connections) {
        try {
            Process p = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + DURATION.toSeconds() + "s", "--latency", "-s", script.toString(), url)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            Matcher errors = ERRORS.matcher(out);
            if (errors.find()) {
                throw new IllegalStateException("wrk saw " + errors.group(1) + " failed responses:\n" + out);
            }
            Matcher rps = RPS.matcher(out);
            if (!rps.find()) {
                throw new IllegalStateException("unexpected wrk output:\n" + out);
            }
            double p50 = 0;
            double p99 = 0;
            Matcher pct = PCT.matcher(out);
            while (pct.find()) {
                double v = Double.parseDouble(pct.group(2)) * switch (pct.group(3)) {
                    case "us" -> 0.001;
                    case "s" -> 1000.0;
                    default -> 1.0;
                };
                if (pct.group(1).equals("50")) {
                    p50 = v;
                } else {
                    p99 = v;
                }
            }
            return new Load(Double.parseDouble(rps.group(1)), p50, p99);
        } catch (IOException e) {
            throw new IllegalStateException("wrk is needed for this benchmark: apt-get install wrk", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void awaitIndex(String base) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            String state = given().baseUri(base).get("/api/schema").then().extract().path("indexes.find { it.table == '" + TABLE + "' && it.name == 'by_org' }.state");
            if ("ready".equals(state)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("index by_org was not built");
    }

    /** The same operations by plain JDBC: the ceiling any service on this machine is measured against. */
    static final class JdbcCeiling {

        enum Op { GET, QUERY, PATCH, INSERT }

        private final String table;
        private final List<UUID> ids;

        JdbcCeiling(String table, List<UUID> ids) {
            this.table = table;
            this.ids = ids;
        }

        Load run(Op op, int threads, Duration duration) throws Exception {
            long end = System.nanoTime() + duration.toNanos();
            List<long[]> samples = new ArrayList<>();
            long[] counts = new long[threads];
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long[] mine = new long[4_000_000];
                samples.add(mine);
                int k = t;
                Thread w = new Thread(() -> {
                    try (Connection c = TestDb.connect(); PreparedStatement p = c.prepareStatement(sql(op))) {
                        ThreadLocalRandom random = ThreadLocalRandom.current();
                        int n = 0;
                        while (System.nanoTime() < end) {
                            long t0 = System.nanoTime();
                            bind(p, op, random);
                            if (op == Op.INSERT) {
                                p.executeUpdate();
                            } else {
                                try (ResultSet r = p.executeQuery()) {
                                    while (r.next()) {
                                        r.getString(2); // the body, as a service would read it
                                    }
                                }
                            }
                            if (n < mine.length) {
                                mine[n] = System.nanoTime() - t0;
                            }
                            n++;
                        }
                        counts[k] = n;
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                workers.add(w);
            }
            long start = System.nanoTime();
            workers.forEach(Thread::start);
            for (Thread w : workers) {
                w.join();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long total = 0;
            List<Long> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                total += counts[t];
                long[] mine = samples.get(t);
                for (int i = 0; i < Math.min(counts[t], mine.length); i++) {
                    all.add(mine[i]);
                }
            }
            all.sort(null);
            return new Load(total / seconds, all.get(all.size() / 2) / 1e6, all.get((int) (all.size() * 0.99)) / 1e6);
        }

        private String sql(Op op) {
            return switch (op) {
                case GET -> "select id, data::text from " + table + " where id = ?";
                case QUERY -> "select id, data::text from " + table + " where coalesce(data->'orgId', 'null') = ?::jsonb"
                        + " order by coalesce(data->'orgId', 'null'), id limit 21";
                case PATCH -> "update " + table + " set data = data || ?::jsonb, revision = nextval('docshift.write_seq') where id = ? returning id, data::text";
                case INSERT -> "insert into " + table + " (id, creation_time, schema_version, revision, data)"
                        + " values (?, ?, 0, nextval('docshift.write_seq'), ?::jsonb)";
            };
        }

        private void bind(PreparedStatement p, Op op, ThreadLocalRandom random) throws Exception {
            switch (op) {
                case GET -> p.setObject(1, ids.get(random.nextInt(ids.size())));
                case QUERY -> p.setString(1, "\"org" + random.nextInt(500) + "\"");
                case PATCH -> {
                    p.setString(1, "{\"visits\":" + random.nextInt(1_000_000) + "}");
                    p.setObject(2, ids.get(random.nextInt(ids.size())));
                }
                case INSERT -> {
                    p.setObject(1, UUID.randomUUID());
                    p.setLong(2, System.currentTimeMillis());
                    p.setString(3, INSERT_BODY);
                }
            }
        }
    }
}
