package io.docshift.bench;

import io.docshift.support.Api;
import io.docshift.support.Runs;
import io.docshift.support.TestDb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Backfilling a missing field on half of 1,000,000 documents: Docshift's declarative and Java paths beside
 * {@code ../shared/bench/MigrationAnchors.java}, run in the same benchmark run on the same data shape.
 * Figures are changed documents per second; ratios are against the anchors of this run. Only in {@code -Pbench}.
 */
@QuarkusTest
class MigrationThroughputBench {

    static final int DOCUMENTS = Integer.getInteger("bench.documents", 1_000_000);
    static final Path ANCHORS = Path.of("..", "shared", "bench", "MigrationAnchors.java");
    static final String DATA = "jsonb_build_object('orgId', 'org_' || (g % 1000), 'name', 'Customer ' || g)"
            + " || case when g % 2 = 0 then '{\"status\":\"active\"}'::jsonb else '{}'::jsonb end";

    /**
     * The anchors run first (every strategy), then each Docshift path, each followed by {@code set-based-single}
     * again: a path's ratio is against the mean of the two {@code set-based-single} runs around it, so that
     * drift on a shared machine (other load, autovacuum, checkpoints) falls on both sides of the ratio.
     */
    @Test
    void backfillThroughputBesideTheAnchors() throws Exception {
        Map<String, Double> anchors = runAnchors(null);

        String table = TestDb.freshTable("bench_declarative");
        String m = TestDb.freshTable("bench_backfill");
        double declarative = docshiftRun(table,
                () -> Runs.define(m, "{\"table\":\"" + table + "\",\"steps\":[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"active\"}]}"),
                () -> Runs.start(m, "{}"));
        Double afterDeclarative = runAnchors("set-based-single").get("set-based-single");
        if (TestDb.tableExists(BackfillStatusMigration.TABLE)) {
            try (var c = TestDb.connect()) {
                c.createStatement().execute("truncate " + TestDb.physical(BackfillStatusMigration.TABLE));
            }
        }
        double java = docshiftRun(BackfillStatusMigration.TABLE, () -> { }, () -> Runs.start("benchBackfillStatusJava", "{\"rerun\":true,\"force\":true}"));
        Double afterJava = runAnchors("set-based-single").get("set-based-single");
        // the same backfill as a CEL expression: one PostgreSQL evaluates, and one only the JVM does (string())
        double celSql = celRun("has(doc.status) ? doc.status : 'active'");
        Double afterCelSql = runAnchors("set-based-single").get("set-based-single");
        double celJvm = celRun("has(doc.status) ? doc.status : string('active')");
        Double afterCelJvm = runAnchors("set-based-single").get("set-based-single");

        Double perDoc = anchors.get("per-doc-100");
        anchors.forEach((name, rate) -> BenchReport.record("migration", "anchor " + name, rate, "docs/s", "MigrationAnchors, same run", true));
        if (afterDeclarative != null) {
            BenchReport.record("migration", "anchor set-based-single (after declarative)", afterDeclarative, "docs/s", "MigrationAnchors, same run", true);
            BenchReport.record("migration", "anchor set-based-single (after java)", afterJava, "docs/s", "MigrationAnchors, same run", true);
        }
        record("docshift declarative", declarative, mean(anchors.get("set-based-single"), afterDeclarative), perDoc, 0.8);
        record("docshift java", java, mean(afterDeclarative, afterJava), perDoc, 0.5);
        record("docshift cel (in PostgreSQL)", celSql, mean(afterJava, afterCelSql), perDoc, 0.5);
        record("docshift cel (in the JVM)", celJvm, mean(afterCelSql, afterCelJvm), perDoc, 0.3);
        BenchReport.record("migration", "cel in PostgreSQL / declarative", celSql / declarative, "x", "same data, same run", true);
        BenchReport.record("migration", "cel in the JVM / java", celJvm / java, "x", "same data, same run", true);
    }

    /** The backfill as {@code {"op": "set", "field": "status", "expr": ...}} on fresh data, in docs/s. */
    private static double celRun(String expr) throws Exception {
        String table = TestDb.freshTable("bench_cel");
        String m = TestDb.freshTable("bench_cel");
        return docshiftRun(table, () -> Runs.define(m, "{\"table\":\"" + table + "\",\"steps\":[{\"op\":\"set\",\"field\":\"status\",\"expr\":\""
                + expr + "\"}]}"), () -> Runs.start(m, "{}"));
    }

    private static Double mean(Double a, Double b) {
        return a == null || b == null ? null : (a + b) / 2;
    }

    private interface Starter {
        long start() throws Exception;
    }

    /**
     * Loads the data, registers the migration, then times from the request that starts a run to its completion
     * (as the anchors time their statements), and returns changed documents per second.
     */
    private static double docshiftRun(String table, Runnable define, Starter starter) throws Exception {
        Api.insert(table, "{\"orgId\":\"org_0\",\"name\":\"Customer 0\",\"status\":\"active\"}");
        TestDb.bulkLoad(table, DOCUMENTS - 1, DATA);
        try (var c = TestDb.connect()) {
            c.createStatement().execute("vacuum analyze " + TestDb.physical(table));
            c.createStatement().execute("checkpoint"); // the load's dirty pages are not the migration's cost
        }
        define.run();
        long t0 = System.nanoTime();
        long run = starter.start();
        Runs.awaitEndInDatabase(run, Duration.ofMinutes(10));
        JsonPath done = Runs.awaitEnd(run, Duration.ofMinutes(1));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals("completed", done.getString("state"), done.prettify());
        long changed = done.getLong("changed");
        assertEquals(0, TestDb.scalar("select count(*) from " + TestDb.physical(table) + " where not data ? 'status'"));
        return changed / seconds;
    }

    private static void record(String name, double rate, Double single, Double perDoc, double target) {
        String note = single == null ? "anchors not run"
                : String.format("%.2fx set-based-single around it (%.0f docs/s; target ≥ %.1fx), %.2fx per-doc-100 (target ≥ 2.5x)",
                rate / single, single, target, rate / perDoc);
        boolean meets = single == null || rate / single >= target && rate / perDoc >= 2.5;
        BenchReport.record("migration", name, rate, "docs/s", note, meets);
    }

    /**
     * Runs the shared anchors as their own JVM against the same database, after a checkpoint, and parses their
     * docs/s: every strategy, or only {@code only}.
     */
    private static Map<String, Double> runAnchors(String only) throws Exception {
        Map<String, Double> out = new LinkedHashMap<>();
        if (!Boolean.parseBoolean(System.getProperty("bench.anchors", "true"))) {
            return out;
        }
        if (!Files.exists(ANCHORS)) {
            System.out.println("BENCH | anchors skipped: " + ANCHORS.toAbsolutePath() + " not found");
            return out;
        }
        String driver = Path.of(org.postgresql.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        try (var c = TestDb.connect()) {
            c.createStatement().execute("checkpoint");
        }
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp", driver, ANCHORS.toString(),
                TestDb.URL, Integer.toString(DOCUMENTS)));
        if (only != null) {
            command.add(only);
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        Pattern line = Pattern.compile("^(\\S+)\\s+(\\d+) docs changed in\\s+([\\d.]+) s =\\s+(\\d+) docs/s");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String l;
            while ((l = r.readLine()) != null) {
                System.out.println("anchors: " + l);
                Matcher m = line.matcher(l.trim());
                if (m.find()) {
                    out.put(m.group(1), Double.parseDouble(m.group(4)));
                }
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException("MigrationAnchors failed");
        }
        return out;
    }
}
