package io.docshift.deploy;

import io.docshift.support.AppProcess;
import io.docshift.support.Cli;
import io.docshift.support.Cli.Answer;
import io.docshift.support.Cli.Result;
import io.docshift.support.TestDb;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code docshift deploy} run as a CI job or a Kubernetes Job runs it, as a process without a terminal, against a
 * packaged service; and named deployments from a project file, with the production confirmation typed in a real
 * pseudo-terminal.
 */
class DeployIT {

    private static final String OPTIONAL = "{\"type\":\"string\",\"optional\":true}";

    static AppProcess app;
    static Cli cli;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        app = AppProcess.start("deploy", Map.of("docshift.migrations.poll", "1s")).awaitReady(Duration.ofSeconds(90));
        cli = new Cli(app.baseUri());
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
    }

    @Test
    void deployRegistersPushesFollowsTheTransitionToActiveAndThenHasNothingToDo() throws Exception {
        String t = TestDb.freshTable("deployrename");
        insert(t, "{\"name\":\"Ada Lovelace\"}");
        TestDb.bulkLoad(t, 5_999, "jsonb_build_object('name', 'c' || g)");
        String m = "deployRename_" + t;
        Path migrations = Files.createDirectories(dir.resolve("migrations"));
        Files.writeString(migrations.resolve(m + ".json"), "{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":2000,"
                + "\"steps\":[{\"op\":\"rename\",\"from\":\"name\",\"to\":\"fullName\"}]}");
        Path schema = schema(t, "{\"fullName\":{\"type\":\"string\"}}", m);
        int before = activeVersion();

        Result deployed = cli.run("deploy", "--schema", schema.toString(), "--migrations", migrations.toString());
        assertEquals(0, deployed.exit(), deployed.out() + deployed.err());
        List<String> lines = deployed.out().lines().toList();
        assertEquals("Target: " + app.baseUri(), lines.get(0), "the target first: " + deployed.out());
        assertTrue(lines.get(1).startsWith("migration " + m + ": registered"), deployed.out());
        assertTrue(deployed.out().matches("(?s).*transition \\d+ to version \\d+: migrating.*"), deployed.out());
        assertTrue(deployed.out().contains("\n  migrating "), "plain progress lines: " + deployed.out());
        // the new version's number is the next stored one: a rolled-back transition's target may have taken before + 1
        int after = activeVersion();
        assertTrue(after > before && deployed.out().contains(": active") && deployed.out().contains("Version " + after + " is active."), deployed.out());
        assertFalse(deployed.out().contains("\u001b") || deployed.out().contains("\r"), "no escape codes in a pipe: " + deployed.out());
        assertEquals(6_000, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data ? 'fullName'"));

        Result again = cli.run("deploy", "--schema", schema.toString(), "--migrations", migrations.toString());
        assertEquals(0, again.exit(), again.out() + again.err());
        assertTrue(again.out().contains("Nothing to deploy: version " + after + " is active."), again.out());
        assertEquals(after, activeVersion(), "a deploy of what is active changes nothing");
        JsonPath unchanged = json(cli.run("deploy", "--schema", schema.toString(), "--migrations", migrations.toString(), "--json"));
        assertEquals("unchanged", unchanged.getString("result"));
    }

    @Test
    void deployRefusesAPlanThatIsNotApplicableWithExitThreeAndPushesNothing() throws Exception {
        String t = TestDb.freshTable("deployrefuse");
        insert(t, "{\"n\":\"x\"}");
        String m = "deployConvert_" + t;
        Path migrations = Files.createDirectories(dir.resolve("migrations"));
        Files.writeString(migrations.resolve(m + ".json"), "{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"convert\",\"field\":\"n\",\"to\":\"number\"}]}");
        Path cured = schema(t, "{\"n\":{\"type\":\"number\"}}", m);
        int before = activeVersion();

        Result refused = cli.run("deploy", "--schema", cured.toString(), "--migrations", migrations.toString());
        assertEquals(3, refused.exit(), refused.out() + refused.err());
        assertTrue(refused.out().contains("A listed migration would fail on 1 document"), "the forecast is printed: " + refused.out());
        assertTrue(refused.out().contains("Not deployed: the listed migrations would not bring the existing documents to this schema"), refused.out());
        JsonPath result = json(cli.run("deploy", "--schema", cured.toString(), "--migrations", migrations.toString(), "--json"));
        assertEquals("refused", result.getString("result"));
        assertFalse(result.getBoolean("plan.applicable"));
        assertEquals(1, result.getInt("plan.violations[0].afterMigrations.failing"));

        Path violated = schema(t, "{\"n\":{\"type\":\"number\"}}", null);
        Result plain = cli.run("deploy", "--schema", violated.toString(), "--migrations", dir.resolve("none").toString());
        assertEquals(3, plain.exit(), plain.out() + plain.err());
        assertTrue(plain.out().contains("Not deployed: existing documents violate this schema"), plain.out());
        assertEquals(before, activeVersion(), "nothing pushed");
    }

    @Test
    void dryRunPrintsThePlanAndExitsByApplicabilityPushingNothing() throws Exception {
        String t = TestDb.freshTable("deploydry");
        insert(t, "{\"name\":\"Grace Hopper\"}");
        Path fine = schema(t, "{\"name\":{\"type\":\"string\"},\"email\":" + OPTIONAL + "}", null);
        int before = activeVersion();
        Result dry = cli.run("deploy", "--schema", fine.toString(), "--dry-run");
        assertEquals(0, dry.exit(), dry.out() + dry.err());
        assertTrue(dry.out().contains("SAFETY") && dry.out().contains("Dry run: the plan is applicable; nothing pushed."), dry.out());
        JsonPath planned = json(cli.run("deploy", "--schema", fine.toString(), "--dry-run", "--json"));
        assertEquals("planned", planned.getString("result"));
        assertTrue(planned.getList("plan.changes.table").contains(t));

        Path violated = schema(t, "{\"name\":{\"type\":\"number\"}}", null);
        assertEquals(3, cli.run("deploy", "--schema", violated.toString(), "--dry-run").exit());
        assertEquals(before, activeVersion(), "a dry run pushes nothing");
    }

    @Test
    void jsonPrintsOneResultDocumentWithThePlanAndThePush() throws Exception {
        String t = TestDb.freshTable("deployjson");
        insert(t, "{\"name\":\"Ada\"}");
        Path schema = schema(t, "{\"name\":{\"type\":\"string\"}}", null);
        Result r = cli.run("deploy", "--schema", schema.toString(), "--json");
        assertEquals(0, r.exit(), r.err());
        assertEquals(1, r.out().lines().filter(l -> !l.isBlank()).count(), "one document: " + r.out());
        JsonPath doc = new JsonPath(r.out());
        assertEquals("deployed", doc.getString("result"));
        assertEquals(app.baseUri(), doc.getString("url"));
        assertEquals(activeVersion(), doc.getInt("push.version"));
        assertTrue(doc.getBoolean("plan.applicable"));
        assertTrue(r.err().contains("Target: " + app.baseUri()), "notices go to standard error: " + r.err());
        assertEquals(2, cli.run("deploy", "--schema", dir.resolve("missing.json").toString()).exit(), "a missing schema file is a usage error");
    }

    @Test
    void aNamedDeploymentComesFromTheProjectFileAndIsPrintedBeforeAChange() throws Exception {
        String t = TestDb.freshTable("deploynamed");
        insert(t, "{\"name\":\"Ada\"}");
        Files.writeString(dir.resolve("docshift.yaml"), "deployments:\n  staging:\n    url: " + app.baseUri() + "\n    key-env: DOCSHIFT_STAGING_KEY\n"
                + "  prod:\n    url: " + app.baseUri() + "\n    production: true\n");
        Path schema = schema(t, "{\"name\":{\"type\":\"string\"}}", null);
        Path sub = Files.createDirectories(dir.resolve("services").resolve("api"));
        Cli project = new Cli("http://127.0.0.1:9").in(sub); // DOCSHIFT_URL points nowhere: the deployment's URL is used

        Result staging = project.run("deploy", "--deployment", "staging", "--schema", schema.toString());
        assertEquals(0, staging.exit(), staging.out() + staging.err());
        assertTrue(staging.out().startsWith("Target: deployment staging (" + app.baseUri() + ")\n"), staging.out());
        Result status = project.env("DOCSHIFT_DEPLOYMENT", "staging").run("status");
        assertEquals(0, status.exit(), "DOCSHIFT_DEPLOYMENT names it too: " + status.err());
        assertFalse(status.out().contains("Target:"), "a read names no target");

        Result unknown = project.run("status", "--deployment", "qa");
        assertEquals(2, unknown.exit());
        assertTrue(unknown.err().contains("no deployment qa in") && unknown.err().contains("staging, prod"), unknown.err());
        Result both = project.run("status", "--deployment", "staging", "--url", app.baseUri());
        assertEquals(2, both.exit());
        assertTrue(both.err().contains("both --url and the deployment staging"), both.err());

        Files.delete(dir.resolve("docshift.yaml"));
        Files.createDirectories(dir.resolve(".docshift"));
        Files.writeString(dir.resolve(".docshift").resolve("deployments.yaml"), "deployments:\n  prod:\n    url: " + app.baseUri() + "\n    producton: true\n");
        Result misspelt = project.run("status", "--deployment", "prod");
        assertEquals(2, misspelt.exit());
        assertTrue(misspelt.err().contains("has producton, which is none of url, key-env, production"), misspelt.err());
    }

    @Test
    void aProductionDeploymentNeedsItsNameTypedInATerminalAndYesElsewhere() throws Exception {
        String t = TestDb.freshTable("deployprod");
        insert(t, "{\"name\":\"Ada\"}");
        Files.writeString(dir.resolve("docshift.yaml"), "deployments:\n  prod:\n    url: " + app.baseUri() + "\n    production: true\n");
        Path schema = schema(t, "{\"name\":{\"type\":\"string\"}}", null);
        Cli project = new Cli("http://127.0.0.1:9").in(dir).env("DOCSHIFT_DEPLOYMENT", "prod");
        int before = activeVersion();

        Result pipe = project.run("deploy", "--schema", schema.toString());
        assertEquals(2, pipe.exit(), pipe.out() + pipe.err());
        assertTrue(pipe.err().contains("prod is a production deployment and this is not a terminal") && pipe.err().contains("--yes"), pipe.err());
        assertEquals(before, activeVersion());

        String question = "This changes the production deployment prod. Type its name to go on:";
        Result mistyped = project.inTerminal(Duration.ofSeconds(60), List.of(new Answer(question, "y")), "deploy", "--schema", schema.toString(), "--yes");
        assertEquals(1, mistyped.exit(), mistyped.out());
        assertTrue(mistyped.out().contains("Target: deployment prod (" + app.baseUri() + ", production)"), mistyped.out());
        assertTrue(mistyped.out().contains("Nothing done: the name typed was not prod."), "--yes does not skip it in a terminal: " + mistyped.out());
        assertEquals(before, activeVersion());

        Result typed = project.inTerminal(Duration.ofSeconds(60), List.of(new Answer(question, "prod")), "deploy", "--schema", schema.toString());
        assertEquals(0, typed.exit(), typed.out());
        assertEquals(before + 1, activeVersion(), "deployed once its name was typed");

        Result rerun = project.run("run", "noSuchMigration");
        assertEquals(2, rerun.exit(), "every changing command is guarded: " + rerun.err());
        Result ci = project.run("deploy", "--schema", schema.toString(), "--yes", "--json");
        assertEquals(0, ci.exit(), ci.err());
        assertEquals("prod", new JsonPath(ci.out()).getString("deployment"));
        assertEquals("unchanged", new JsonPath(ci.out()).getString("result"));
    }

    @Test
    void deployExitsOneWhenTheTransitionFailsVerification() throws Exception {
        // countRelated reads another table, which only PostgreSQL can: no forecast, so the plan is applicable and
        // the document without a name is found only by the transition's verification, after the sweep
        String t = TestDb.freshTable("deployfail");
        String projects = TestDb.freshTable("deployprojects");
        insert(projects, "{\"customerId\":\"x\"}");
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("{\"tables\":{\"" + t + "\":{\"document\":{\"name\":" + OPTIONAL + "}},\""
                + projects + "\":{\"document\":{\"customerId\":{\"type\":\"string\"}}}}}").put("/api/schema").then().statusCode(200);
        insert(t, "{\"name\":\"Ada\"}");
        insert(t, "{}");
        String m = "deployCount_" + t;
        Path migrations = Files.createDirectories(dir.resolve("migrations"));
        Files.writeString(migrations.resolve(m + ".json"), "{\"table\":\"" + t + "\",\"backup\":true,\"steps\":[{\"op\":\"countRelated\","
                + "\"field\":\"projectCount\",\"table\":\"" + projects + "\",\"foreignKey\":\"customerId\"}]}");
        Path schema = Files.createTempFile(dir, "schema", ".json");
        Files.writeString(schema, "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"projectCount\":{\"type\":\"number\"}}},\""
                + projects + "\":{\"document\":{\"customerId\":{\"type\":\"string\"}}}},\"migrations\":[\"" + m + "\"]}");
        int before = activeVersion();
        try {
            Result failed = cli.run("deploy", "--schema", schema.toString(), "--migrations", migrations.toString());
            assertEquals(1, failed.exit(), failed.out() + failed.err());
            assertTrue(failed.out().matches("(?s).*transition \\d+ to version \\d+: failed.*"), failed.out());
            assertEquals(before, activeVersion(), "the failed transition activated nothing");
            assertEquals("failed", given().baseUri(app.baseUri()).get("/api/schema/transition").then().extract().path("state"));
        } finally {
            given().baseUri(app.baseUri()).post("/api/schema/transition/rollback").then().statusCode(202);
            awaitTransition("rolledBack");
        }
    }

    @Test
    void rehearseReportsOnACopyLeavesTheLiveDataAndExitsByTheOutcome() throws Exception {
        String t = TestDb.freshTable("rehearsecli");
        insert(t, "{\"name\":\"Ada Lovelace\",\"age\":\"36\"}");
        TestDb.bulkLoad(t, 1_999, "jsonb_build_object('name', 'c' || g, 'age', (g % 90)::text)");
        String m = "rehearseCli_" + t;
        Path migrations = Files.createDirectories(dir.resolve("migrations"));
        Files.writeString(migrations.resolve(m + ".json"), "{\"table\":\"" + t + "\",\"backup\":true,\"steps\":[{\"op\":\"rename\",\"from\":\"name\","
                + "\"to\":\"fullName\"},{\"op\":\"convert\",\"field\":\"age\",\"to\":\"number\"}]}");
        Path schema = schema(t, "{\"fullName\":{\"type\":\"string\"},\"age\":{\"type\":\"number\"}}", m);
        assertEquals(0, cli.run("deploy", "--schema", schema.toString(), "--migrations", migrations.toString(), "--dry-run").exit(), "registers the migration");
        int before = activeVersion();
        long unchanged = TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data ? 'name' and schema_version = 0");

        Result rehearsed = cli.run("rehearse", schema.toString());
        assertEquals(0, rehearsed.exit(), rehearsed.out() + rehearsed.err());
        assertTrue(rehearsed.out().contains("DOCS/S") && rehearsed.out().contains("2,000/2,000"), rehearsed.out());
        assertTrue(rehearsed.out().contains("The transition would succeed, and its rollback restores every body byte for byte."), rehearsed.out());
        JsonPath sampled = json(cli.run("rehearse", schema.toString(), "--sample", "100", "--json"));
        assertEquals("completed", sampled.getString("state"));
        assertEquals(100, sampled.getInt("copied"));
        assertEquals(100, sampled.getInt("tables[0].sweep.changed"));
        assertTrue(sampled.getBoolean("live.unchanged"));
        assertEquals(before, activeVersion(), "a rehearsal pushes nothing");
        assertEquals(unchanged, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data ? 'name' and schema_version = 0"),
                "the live documents are as they were");

        String poisoned = given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("{\"name\":\"Bob\",\"age\":\"abc\"}")
                .post("/api/tables/" + t + "/documents").then().statusCode(201).extract().path("_id");
        Result failing = cli.run("rehearse", schema.toString());
        assertEquals(1, failing.exit(), failing.out() + failing.err());
        assertTrue(failing.out().contains("would fail on " + poisoned), failing.out());
        assertEquals(3, cli.run("rehearse", schema.toString(), "--sample", "0").exit(), "a bad sample is refused");
    }

    private static void awaitTransition(String state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (System.nanoTime() < deadline) {
            if (state.equals(given().baseUri(app.baseUri()).get("/api/schema/transition").then().statusCode(200).extract().path("state"))) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the transition did not reach " + state);
    }

    /** A schema file of {@code t} alone (the schema holds every table, whatever the tests before pushed), naming {@code migration} if given. */
    private Path schema(String t, String document, String migration) throws Exception {
        Path file = Files.createTempFile(dir, "schema", ".json");
        Files.writeString(file, "{\"tables\":{\"" + t + "\":{\"document\":" + document + "}}"
                + (migration == null ? "" : ",\"migrations\":[\"" + migration + "\"]") + "}");
        return file;
    }

    private static void insert(String t, String body) {
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body(body).post("/api/tables/" + t + "/documents").then().statusCode(201);
    }

    private static int activeVersion() {
        var r = given().baseUri(app.baseUri()).get("/api/schema");
        return r.statusCode() == 404 ? 0 : r.then().statusCode(200).extract().path("version");
    }

    private static JsonPath json(Result r) {
        assertTrue(r.exit() == 0 || r.out().startsWith("{"), "exit " + r.exit() + ": " + r.err());
        return new JsonPath(r.out().trim());
    }
}
