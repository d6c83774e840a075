package io.docshift.reliability;

import io.docshift.coordination.SessionPinning;
import io.docshift.support.Api;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.docshift.support.Management.management;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One test per failure mode of RELIABILITY.md that needs the running service (the others are named in
 * MigrationTakeoverIT, BundledSchemaIT, MigrationResourceTest, SchemaResourceTest and RollingUpdateIT).
 */
@QuarkusTest
class ReliabilityTest {

    static final int NAMESPACE = 0x44530000;
    /** AdvisoryLocks.Purpose ordinals + 1. */
    static final int SCHEMA_PUSH = NAMESPACE + 2, INDEX_BUILD = NAMESPACE + 3, MIGRATION_RUN = NAMESPACE + 4, TRANSITION = NAMESPACE + 5;

    @Test
    void F2_aTransactionPoolingProxyIsDetectedAndReported() throws Exception {
        try (Connection a = TestDb.connect(); Connection b = TestDb.connect()) {
            assertFalse(SessionPinning.check(poolingProxy(a, b)), "statements landing on two backends are detected");
        }
        try (Connection c = TestDb.connect()) {
            assertTrue(SessionPinning.check(c), "a direct connection is pinned");
        }
        management().get("/q/health/well").then().statusCode(200).body("checks.find { it.name == 'docshift-session-locks' }.status", equalTo("UP"));
    }

    /** A connection as a transaction-pooling proxy hands it out: each statement may go to another backend. */
    private static Connection poolingProxy(Connection a, Connection b) {
        AtomicInteger next = new AtomicInteger();
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[]{Connection.class}, (proxy, m, args) -> {
            try {
                if (m.getName().equals("setAutoCommit")) {
                    m.invoke(b, args);
                    return m.invoke(a, args);
                }
                Connection target = m.getName().startsWith("create") || m.getName().startsWith("prepare") ? (next.getAndIncrement() % 2 == 0 ? a : b) : a;
                return m.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Test
    void F3_createIndexConcurrentlyWhileMigrationRuns() throws Exception {
        String t = TestDb.freshTable("f3");
        long run = slowRun(t, 20_000, "jsonb_build_object('a', g, 'b', 'x' || g)", 1000);
        given().contentType(ContentType.JSON).body("{\"tables\":{\"" + t + "\":{\"document\":{\"a\":{\"type\":\"number\"},\"b\":{\"type\":\"string\",\"optional\":true},"
                + "\"c\":{\"type\":\"number\",\"optional\":true}},\"indexes\":[{\"name\":\"by_b\",\"fields\":[\"b\"]}]}}}").put("/api/schema").then().statusCode(200);
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String state = null;
        while (System.nanoTime() < deadline) {
            state = given().get("/api/schema").then().extract().path("indexes.find { it.table == '" + t + "' && it.name == 'by_b' }.state");
            if ("ready".equals(state)) {
                break;
            }
            Thread.sleep(50);
        }
        assertEquals("ready", state, "the index was built while the migration held its locks");
        assertEquals("running", Runs.get(run).getString("state"), "the migration was still running meanwhile");
        given().post("/api/migrations/runs/" + run + "/cancel").then().statusCode(200);
    }

    @Test
    void F4_sessionLocksAreOnlyTriedNoDocshiftBackendEverWaitsOnOne() throws Exception {
        String t = TestDb.freshTable("f4");
        Api.insert(t, "{\"a\":1}");
        String m = backfill(t, null);
        try (Connection holder = TestDb.connect()) {
            long held = heldPendingRun(holder, m);
            // while another session holds that run's lock, the workers skip it and keep working on other runs
            String other = "f4other_" + t;
            Runs.define(other, "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"d\",\"value\":1}]}");
            assertEquals("completed", Runs.awaitEnd(Runs.start(other, "{}"), Duration.ofSeconds(60)).getString("state"));
            assertEquals("pending", Runs.get(held).getString("state"));
            assertEquals(0, TestDb.scalar("select count(*) from pg_locks l join pg_stat_activity a using (pid) where l.locktype = 'advisory'"
                    + " and not l.granted and a.application_name = 'docshift' and l.classid::int in (" + SCHEMA_PUSH + ", " + INDEX_BUILD + ", "
                    + MIGRATION_RUN + ", " + TRANSITION + ")"), "no Docshift backend waits on a session lock");
            unlock(holder, held);
            assertEquals("completed", Runs.awaitEnd(held, Duration.ofSeconds(60)).getString("state"), "the run goes on once the lock is free");
        }
    }

    @Test
    void F8_aWorkerThatMissesALockNeverReleasesIt() throws Exception {
        String t = TestDb.freshTable("f8");
        Api.insert(t, "{\"a\":1}");
        String m = backfill(t, null);
        try (Connection holder = TestDb.connect()) {
            long held = heldPendingRun(holder, m);
            // several worker passes (2 s apart, and one at once on NOTIFY) try it and fail
            given().post("/api/migrations/runs/" + held + "/cancel").then().statusCode(200);
            given().post("/api/migrations/runs/" + held + "/resume").then().statusCode(200);
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < until) {
                assertEquals(1, TestDb.scalar("select count(*) from pg_locks where locktype = 'advisory' and granted and classid::int = " + MIGRATION_RUN
                        + " and objid::bigint = " + held + " and pid = " + pid(holder)), "the lock is still ours");
                Thread.sleep(250);
            }
            assertEquals("pending", Runs.get(held).getString("state"));
            unlock(holder, held);
            assertEquals("completed", Runs.awaitEnd(held, Duration.ofSeconds(60)).getString("state"));
        }
    }

    @Test
    void F6_probesStayUpWhileAMigrationRuns() throws Exception {
        long run = slowRun(TestDb.freshTable("f6"), 5_000, "jsonb_build_object('a', g)", 500);
        for (int i = 0; i < 10; i++) {
            management().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
            management().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        }
        assertEquals("running", Runs.get(run).getString("state"), "probed while the migration ran");
        given().post("/api/migrations/runs/" + run + "/cancel").then().statusCode(200);
    }

    @Test
    void F10_aSweepConvergesWhileAnOlderBuildKeepsWritingBehindIt() throws Exception {
        String t = TestDb.freshTable("f10");
        int v1 = given().contentType(ContentType.JSON).body("{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"}}}}}")
                .put("/api/schema").then().statusCode(200).extract().path("version");
        TestDb.bulkLoad(t, 20_000, "jsonb_build_object('name', 'n' || g)");
        String m = "f10rename_" + t;
        Runs.define(m, "{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":5000,\"steps\":[{\"op\":\"rename\",\"from\":\"name\",\"to\":\"fullName\"}]}");
        given().contentType(ContentType.JSON).body("{\"tables\":{\"" + t + "\":{\"document\":{\"fullName\":{\"type\":\"string\"}}}},\"migrations\":[\"" + m + "\"]}")
                .put("/api/schema").then().statusCode(202);
        // an older build writes old-shape documents at the old version, with ids the sweep has already passed
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong written = new AtomicLong();
        String physical = TestDb.physical(t);
        String number = physical.substring(physical.lastIndexOf('_') + 1);
        Thread oldBuild = new Thread(() -> {
            try (Connection c = TestDb.connect()) {
                for (int i = 1; writing.get(); i++) {
                    c.createStatement().execute("insert into " + physical + " (id, creation_time, schema_version, revision, data) values ("
                            + "(lpad(to_hex((1000::bigint << 16) | " + number + "), 16, '0') || lpad(to_hex(" + i + "), 16, '0'))::uuid, 1000, " + v1
                            + ", nextval('docshift.write_seq'), '{\"name\": \"old build " + i + "\"}')");
                    written.incrementAndGet();
                    Thread.sleep(20);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        oldBuild.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (written.get() < 100 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(1_000); // the older build is retired while the sweep still runs
        writing.set(false);
        oldBuild.join();
        JsonPath done = awaitTransition(Duration.ofMinutes(2));
        assertEquals("active", done.getString("state"), done.prettify());
        assertTrue(written.get() >= 100);
        assertEquals(0, TestDb.scalar("select count(*) from " + physical + " where data ? 'name' or schema_version <> " + done.getInt("toVersion")),
                "the documents written behind the sweep were swept too");
        long processed = done.getLong("migrations[0].processed");
        assertTrue(processed > 20_000, "more than one pass: " + done.prettify());
        assertEquals(processed, done.getLong("migrations[0].total"), "each new pass raised the total by what it walks, never leaving it behind");
    }

    @Test
    void F14_batchSizesAdaptToTheTimeBudgetInsteadOfAFixedCount() throws Exception {
        String t = TestDb.freshTable("f14");
        Api.insert(t, "{\"a\":0}");
        TestDb.bulkLoad(t, 30_000, "jsonb_build_object('a', g)");
        String m = backfill(t, null);
        long run = Runs.start(m, "{}");
        assertEquals("completed", Runs.awaitEnd(run, Duration.ofMinutes(1)).getString("state"));
        long batch = TestDb.scalar("select batch_size from docshift.migration_run where id = " + run);
        assertTrue(batch > 100, "small documents: the batch grew from 100 to " + batch);

        String big = TestDb.freshTable("f14big");
        Api.insert(big, "{\"a\":0}");
        TestDb.bulkLoad(big, 300, "jsonb_build_object('a', g, 'blob', repeat('x', 200000))");
        String mb = backfill(big, null);
        long bigRun = Runs.start(mb, "{}");
        JsonPath done = Runs.awaitEnd(bigRun, Duration.ofMinutes(2));
        assertEquals("completed", done.getString("state"), "60 MB of documents migrate without tuning anything");
        assertEquals(301, done.getLong("changed"));
    }

    @Test
    void F16_anotherApplicationsAdvisoryLocksOnTheSameNumbersDoNotBlockDocshift() throws Exception {
        try (Connection other = TestDb.connect()) {
            // the other application uses single-key locks whose numbers equal Docshift's keys and objects
            long maxRun = TestDb.scalar("select coalesce(max(id), 0) from docshift.migration_run");
            for (int key : List.of(SCHEMA_PUSH, INDEX_BUILD, MIGRATION_RUN, TRANSITION)) {
                try (PreparedStatement p = other.prepareStatement("select pg_advisory_lock(?::bigint), pg_advisory_lock(((?::bigint) << 32) | g)"
                        + " from generate_series(0, ?) g")) {
                    p.setInt(1, key);
                    p.setInt(2, key);
                    p.setLong(3, maxRun + 20);
                    p.executeQuery().close();
                }
            }
            String t = TestDb.freshTable("f16");
            Api.insert(t, "{\"a\":1}");
            given().contentType(ContentType.JSON).body("{\"tables\":{\"" + t + "\":{\"document\":{\"a\":{\"type\":\"number\"},\"c\":{\"type\":\"number\",\"optional\":true}},"
                    + "\"indexes\":[{\"name\":\"by_a\",\"fields\":[\"a\"]}]}}}").put("/api/schema").then().statusCode(200);
            String m = backfill(t, null);
            assertEquals("completed", Runs.awaitEnd(Runs.start(m, "{}"), Duration.ofSeconds(60)).getString("state"));
        }
    }

    /** Registers a backfill of field {@code c} over {@code table}, throttled when {@code documentsPerSecond} is given; returns its name. */
    private static String backfill(String table, Integer documentsPerSecond) {
        String m = "backfill_" + table;
        Runs.define(m, "{\"table\":\"" + table + "\"" + (documentsPerSecond == null ? "" : ",\"maxDocumentsPerSecond\":" + documentsPerSecond)
                + ",\"steps\":[{\"op\":\"setDefault\",\"field\":\"c\",\"value\":1}]}");
        return m;
    }

    /** Fills {@code table} and starts a throttled backfill over it; returns the run once it is running. */
    private static long slowRun(String table, int documents, String bodySql, int documentsPerSecond) throws InterruptedException {
        Api.insert(table, "{\"a\":0}");
        TestDb.bulkLoad(table, documents, bodySql);
        long run = Runs.start(backfill(table, documentsPerSecond), "{}");
        awaitState(run, "running");
        return run;
    }

    /** Registers a pending run of {@code migration} whose advisory lock {@code holder} takes before any worker sees it. */
    private static long heldPendingRun(Connection holder, String migration) throws Exception {
        holder.setAutoCommit(false);
        long id;
        try (PreparedStatement p = holder.prepareStatement("insert into docshift.migration_run (migration, checksum, state)"
                + " select name, checksum, 'pending' from docshift.migration where name = ? returning id")) {
            p.setString(1, migration);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                id = r.getLong(1);
            }
        }
        try (PreparedStatement p = holder.prepareStatement("select pg_advisory_lock(?, ?)")) {
            p.setInt(1, MIGRATION_RUN);
            p.setInt(2, (int) id);
            p.executeQuery().close();
        }
        holder.commit();
        holder.setAutoCommit(true);
        holder.createStatement().execute("select pg_notify('docshift', 'run:" + id + "')");
        return id;
    }

    private static void unlock(Connection holder, long runId) throws Exception {
        holder.createStatement().execute("select pg_advisory_unlock(" + MIGRATION_RUN + ", " + runId + ")");
    }

    private static int pid(Connection c) throws Exception {
        try (ResultSet r = c.createStatement().executeQuery("select pg_backend_pid()")) {
            r.next();
            return r.getInt(1);
        }
    }

    private static void awaitState(long run, String state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!state.equals(Runs.get(run).getString("state")) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(state, Runs.get(run).getString("state"));
    }

    private static JsonPath awaitTransition(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonPath t = null;
        while (System.nanoTime() < deadline) {
            t = given().get("/api/schema/transition").then().statusCode(200).extract().jsonPath();
            if (List.of("active", "failed").contains(t.getString("state"))) {
                return t;
            }
            Thread.sleep(100);
        }
        return t;
    }
}
