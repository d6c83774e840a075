package io.docshift.cli;

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
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built {@code docshift} command run as a process against a packaged service: in pipes with {@code --json}
 * parsed, and in a real pseudo-terminal where it prompts.
 */
class CliIT {

    static AppProcess app;
    static Cli cli;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        app = AppProcess.start("cli", Map.of("docshift.migrations.poll", "1s")).awaitReady(Duration.ofSeconds(90));
        cli = new Cli(app.baseUri());
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
    }

    @Test
    void versionAnswersFastAndHelpShowsExamplesAndExitCodes() throws Exception {
        long t0 = System.nanoTime();
        Result v = cli.run("--version");
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(0, v.exit());
        assertTrue(v.out().startsWith("docshift "), v.out());
        System.out.printf("docshift --version: %d ms%n", millis);
        Result help = cli.run("run", "--help");
        assertTrue(help.out().contains("Examples:") && help.out().contains("--dry-run"), help.out());
        assertTrue(cli.run("--help").out().contains("4  the service is unreachable"));
        Result bash = cli.run("completion", "bash");
        assertEquals(0, bash.exit());
        assertTrue(bash.out().contains("complete -F") && bash.out().contains("transition"), "a bash completion script");
        assertTrue(cli.run("completion", "zsh").out().contains("bashcompinit"));
        assertEquals(2, cli.run("completion", "fish").exit());
    }

    @Test
    void everyCommandAnswersHelpWithExamples() throws Exception {
        Result root = cli.run("--help");
        assertEquals(0, root.exit());
        assertTrue(root.out().contains("Examples:"), root.out());
        List<String> commands = root.out().lines().dropWhile(l -> !l.equals("Commands:")).skip(1).takeWhile(l -> !l.isBlank())
                .filter(l -> l.startsWith("  ") && !l.startsWith("   ")).map(l -> l.trim().split("\\s+")[0]).toList();
        assertTrue(commands.contains("schema") && commands.contains("completion") && commands.size() >= 16, "the commands: " + commands);
        for (String c : commands) {
            Result help = cli.run(c, "--help");
            assertEquals(0, help.exit(), c + " --help: " + help.err());
            assertTrue(help.out().contains("Examples:"), c + " --help shows examples: " + help.out());
        }
    }

    @Test
    void runWatchAttachesToTheRunAlreadyUnderWay() throws Exception {
        String t = TestDb.freshTable("cliattach");
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("{\"a\":0}").post("/api/tables/" + t + "/documents").then().statusCode(201);
        TestDb.bulkLoad(t, 59, "jsonb_build_object('a', g)");
        String m = "cliattach_" + t;
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":10,"
                + "\"steps\":[{\"op\":\"setDefault\",\"field\":\"b\",\"value\":1}]}").put("/api/migrations/" + m).then().statusCode(201);
        Result started = cli.run("run", m);
        long runId = json(cli.run("status", "--json")).getLong("migrations.find { it.name == '" + m + "' }.runId");
        assertTrue(started.out().contains("follow it with: docshift run " + m + " --watch"), started.out());
        Result again = cli.run("run", m);
        assertEquals(3, again.exit(), "without --watch a second start is still refused: " + again.out());
        assertTrue(again.err().contains("already has run " + runId), again.err());

        Result watched = cli.run("run", m, "--watch");
        assertEquals(0, watched.exit(), watched.out() + watched.err());
        assertTrue(watched.out().contains("attached to run " + runId + " of " + m + ", already "), watched.out());
        assertTrue(watched.out().contains("run " + runId + " of " + m + " completed: 60 processed"), watched.out());
    }

    @Test
    void pushCountsItsChangesNamesIndexesAndAsksNothingWhenNothingChanged() throws Exception {
        String t = TestDb.freshTable("clipush");
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("{\"name\":\"Ada\"}").post("/api/tables/" + t + "/documents").then().statusCode(201);
        // the schema holds every table: this table alone, whatever the tests before it pushed
        Path schema = dir.resolve("schema.json");
        Files.writeString(schema, "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"}}}}}");
        assertEquals(0, cli.run("push", schema.toString(), "--yes").exit());

        String optional = "{\"type\":\"string\",\"optional\":true}";
        Files.writeString(schema, Files.readString(schema).replace("\"name\":{\"type\":\"string\"}",
                "\"name\":{\"type\":\"string\"},\"email\":" + optional + ",\"phone\":" + optional));
        Result two = cli.run("push", schema.toString(), "--yes");
        assertTrue(two.out().contains("(2 changes)."), two.out());

        Files.writeString(schema, "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"email\":" + optional + ",\"phone\":" + optional
                + "},\"indexes\":[{\"name\":\"by_name\",\"fields\":[\"name\"]}]}}}");
        Result plan = cli.run("plan", schema.toString());
        assertEquals(0, plan.exit(), plan.err());
        assertTrue(plan.out().lines().anyMatch(l -> l.matches("added index\\s+" + t + "\\s+by_name\\s+safe.*")), "the row names its index: " + plan.out());
        Result one = cli.run("push", schema.toString(), "--yes");
        assertTrue(one.out().contains("(1 change)."), one.out());

        // nothing to push, so nothing to ask: no terminal and no --yes is fine
        Result unchanged = cli.run("push", schema.toString());
        assertEquals(0, unchanged.exit(), unchanged.out() + unchanged.err());
        assertTrue(unchanged.out().contains("No changes: the schema is the active version"), unchanged.out());
        assertEquals("[]", json(cli.run("push", schema.toString(), "--json")).getList("changes").toString());
    }

    @Test
    void aRerunThatWouldChangeItsOwnOutputShowsTheDiffAndNeedsForce() throws Exception {
        String t = TestDb.freshTable("clirerun");
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("[{\"name\":\"Ada Lovelace\"},{\"name\":\"Grace Hopper\"}]")
                .post("/api/tables/" + t + "/documents/batch").then().statusCode(201);
        String m = "clisplit_" + t;
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"split\",\"field\":\"name\","
                + "\"separator\":\" \",\"into\":[\"firstName\",\"lastName\"]},{\"op\":\"unset\",\"field\":\"name\"}]}").put("/api/migrations/" + m)
                .then().statusCode(201);
        assertEquals(0, cli.run("run", m, "--watch").exit());

        Result refused = cli.run("run", m, "--rerun", "--watch");
        assertEquals(3, refused.exit(), refused.out() + refused.err());
        assertTrue(refused.out().contains("- firstName: \"Ada\"") && refused.out().contains("+ firstName: \"\""), refused.out());
        assertTrue(refused.err().contains("would change 2 of 2 document") && refused.err().contains("--force"), refused.err());
        assertEquals(0, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->>'firstName' = ''"), "nothing was written");

        Result forced = cli.run("run", m, "--rerun", "--force", "--watch");
        assertEquals(0, forced.exit(), forced.out() + forced.err());
        assertEquals(2, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data->>'firstName' = ''"));
    }

    @Test
    void aMissingOrWrongKeyIsExplainedAsTheCommandLineTakesIt() throws Exception {
        String key = "cli-admin-key-0123456789";
        try (AppProcess secured = AppProcess.start("cli-auth", Map.of("docshift.auth.enabled", "true",
                "docshift.auth.keys.ops.secret", key, "docshift.auth.keys.ops.scopes", "admin"))) {
            secured.awaitReady(Duration.ofSeconds(90));
            Result none = new Cli(secured.baseUri()).run("status");
            assertEquals(3, none.exit());
            assertTrue(none.err().contains("refused (401): the service needs an API key: pass --key KEY or set DOCSHIFT_KEY"), none.err());
            assertFalse(none.err().contains("Authorization"), "no HTTP header to send by hand: " + none.err());
            Result wrong = new Cli(secured.baseUri()).run("status", "--key", "not-the-key-at-all");
            assertEquals(3, wrong.exit());
            assertTrue(wrong.err().contains("does not accept the API key given (--key or DOCSHIFT_KEY)"), wrong.err());
            assertEquals(0, new Cli(secured.baseUri()).env("DOCSHIFT_KEY", key).run("status").exit());
        }
    }

    @Test
    void devPushesOnlyWhatItShowedAndAsksAgainWhenTheFileChangedWhileItAsked() throws Exception {
        String t = TestDb.freshTable("clidevedit");
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("{\"name\":\"Ada\"}").post("/api/tables/" + t + "/documents").then().statusCode(201);
        Path schema = dir.resolve("schema.json");
        String optional = "{\"type\":\"string\",\"optional\":true}";
        String first = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"}}}}}";
        Files.writeString(schema, first);
        assertEquals(0, cli.run("push", schema.toString(), "--yes").exit());
        // a new table's plan is one row; fields show once the table is in the schema
        String shown = first.replace("\"name\":{\"type\":\"string\"}", "\"name\":{\"type\":\"string\"},\"phone\":" + optional);
        String edited = shown.replace("\"phone\":", "\"email\":" + optional + ",\"phone\":");
        Files.writeString(schema, shown);
        int before = activeVersion();
        Runnable edit = () -> {
            try {
                Files.writeString(schema, edited);
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        };
        String prompt = "Push changes to " + app.baseUri() + "? (Y/n)";
        // the file is edited once its first plan is on screen, before the question is answered
        Result r = cli.inTerminal(Duration.ofSeconds(60), List.of(new Answer("SAFETY", null, edit), new Answer(prompt, "y"),
                new Answer("changed while the question waited; planning it again.", null), new Answer(prompt, "y")),
                "dev", "--schema", schema.toString(), "--migrations", dir.resolve("none").toString(), "--once");
        assertEquals(0, r.exit(), r.out());
        String replanned = r.out().substring(r.out().indexOf("planning it again."));
        assertFalse(r.out().substring(0, r.out().indexOf("planning it again.")).contains("email"), "the first plan is of the file before the edit");
        assertTrue(replanned.contains("email"), "the second plan shows the edit: " + r.out());
        assertEquals(before + 1, activeVersion(), "one push, of the file as the second plan showed it");
        assertEquals("string", given().baseUri(app.baseUri()).get("/api/schema").then().extract().path("schema.tables." + t + ".document.email.type"));
    }

    private static int activeVersion() {
        var r = given().baseUri(app.baseUri()).get("/api/schema");
        return r.statusCode() == 404 ? 0 : r.then().statusCode(200).extract().path("version");
    }

    @Test
    void planPushRunStatusLogDataCancelAndResumeSpeakJson() throws Exception {
        String t = TestDb.freshTable("clicustomers");
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("{\"name\":\"Ada\"}").post("/api/tables/" + t + "/documents").then().statusCode(201);
        TestDb.bulkLoad(t, 2_999, "jsonb_build_object('name', 'c' || g)");
        Path schema = dir.resolve("schema.json");
        Files.writeString(schema, "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"},\"status\":{\"type\":\"string\",\"optional\":true}}}}}");

        JsonPath plan = json(cli.run("plan", schema.toString(), "--json"));
        assertTrue(plan.getList("changes.table").contains(t));
        assertTrue(plan.getBoolean("applicable"));
        JsonPath pushed = json(cli.run("push", schema.toString(), "--yes", "--json"));
        int version = pushed.getInt("version");
        assertEquals(version, (int) given().baseUri(app.baseUri()).get("/api/schema").then().extract().path("version"));

        String m = "clibackfill_" + t;
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":1000,"
                + "\"steps\":[{\"op\":\"setDefault\",\"field\":\"status\",\"value\":\"active\"}]}").put("/api/migrations/" + m).then().statusCode(201);
        JsonPath dry = json(cli.run("run", m, "--dry-run", "--limit", "2", "--json"));
        assertEquals(3_000, dry.getInt("examined"));
        assertEquals(2, dry.getList("documents").size());
        assertEquals("active", dry.getString("documents[0].after.status"));

        long runId = json(cli.run("run", m, "--json")).getLong("runId");
        JsonPath cancelled = json(cli.run("cancel", Long.toString(runId), "--json"));
        assertEquals("cancelled", cancelled.getString("state"));
        assertEquals(3, cli.run("cancel", Long.toString(runId)).exit(), "a second cancel is refused");
        JsonPath resumed = json(cli.run("resume", Long.toString(runId), "--watch", "--json"));
        assertEquals("completed", resumed.getString("state"));
        assertEquals(3_000, resumed.getLong("processed"));
        assertEquals(3_000, resumed.getLong("changed"));

        JsonPath status = json(cli.run("status", "--json"));
        assertEquals(version, status.getInt("schema.version"));
        assertEquals("completed", status.getString("migrations.find { it.name == '" + m + "' }.state"));
        assertEquals(3_000, status.getLong("migrations.find { it.name == '" + m + "' }.processed"));
        List<String> log = lines(cli.run("log", "--json"));
        assertTrue(log.stream().anyMatch(l -> new JsonPath(l).getLong("runId") == runId), "the log has the run");
        List<String> data = lines(cli.run("data", t, "--limit", "5", "--order", "desc", "--json"));
        assertEquals(5, data.size());
        assertEquals("active", new JsonPath(data.get(0)).getString("status"));
        Result table = cli.run("data", t, "--limit", "3");
        assertTrue(table.out().startsWith("_id") && table.out().contains("status"), table.out());
        assertFalse(table.out().contains("\u001b"), "no escape codes in a pipe");
        assertTrue(cli.run("schema", "--json").out().contains("\"version\":" + version));
    }

    @Test
    void exitCodesSayWhatHappened() throws Exception {
        String t = TestDb.freshTable("cliexit");
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("{\"n\":\"x\"}").post("/api/tables/" + t + "/documents").then().statusCode(201);
        String m = "cliconvert_" + t;
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"convert\",\"field\":\"n\",\"to\":\"number\"}]}")
                .put("/api/migrations/" + m).then().statusCode(201);
        Result failed = cli.run("run", m, "--watch");
        assertEquals(1, failed.exit(), "a failed run: " + failed.out() + failed.err());
        assertTrue(failed.out().contains("failed") && failed.out().contains("document 01"), failed.out());

        Result conflict = cli.run("resume", "999999999");
        assertEquals(3, conflict.exit());
        assertTrue(conflict.err().contains("refused (404)"), conflict.err());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"tables\":{\"" + t + "\":{\"document\":{\"n\":{\"type\":\"number\"}}}}}");
        Result unprocessable = cli.run("push", bad.toString(), "--yes");
        assertEquals(3, unprocessable.exit(), unprocessable.err());
        assertTrue(unprocessable.err().contains("refused (422)") && unprocessable.err().contains("/n"), unprocessable.err());
        JsonPath problem = json(cli.run("push", bad.toString(), "--yes", "--json"));
        assertEquals(422, problem.getInt("status"), "--json prints the problem");

        Result unreachable = new Cli("http://127.0.0.1:9").run("status");
        assertEquals(4, unreachable.exit());
        assertTrue(unreachable.err().contains("nothing answers"), unreachable.err());
        assertEquals(2, cli.run("run").exit(), "usage");
        assertEquals(2, cli.run("push", bad.toString()).exit(), "in a pipe, push needs --yes");
    }

    @Test
    void devAsksInATerminalPushesOnYesFollowsTheTransitionAndWatchesForChanges() throws Exception {
        String t = TestDb.freshTable("clidev");
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("{\"name\":\"Ada Lovelace\"}").post("/api/tables/" + t + "/documents").then().statusCode(201);
        TestDb.bulkLoad(t, 20_000, "jsonb_build_object('name', 'c' || g)");
        Path schema = dir.resolve("schema.json");
        Path migrations = Files.createDirectories(dir.resolve("migrations"));
        String m = "cliRename_" + t;
        Files.writeString(migrations.resolve(m + ".json"), "{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":8000,"
                + "\"steps\":[{\"op\":\"rename\",\"from\":\"name\",\"to\":\"fullName\"}]}");
        Files.writeString(schema, "{\"tables\":{\"" + t + "\":{\"document\":{\"fullName\":{\"type\":\"string\"}}}},\"migrations\":[\"" + m + "\"]}");
        int before = given().baseUri(app.baseUri()).get("/api/schema").then().extract().path("version");

        String prompt = "Push changes to " + app.baseUri() + "? (Y/n)";
        Result no = cli.inTerminal(Duration.ofSeconds(60), List.of(new Answer(prompt, "n")), "dev", "--schema", schema.toString(),
                "--migrations", migrations.toString(), "--once");
        assertEquals(0, no.exit(), no.out());
        assertTrue(no.out().contains("Nothing pushed."), no.out());
        assertTrue(no.out().contains("migration " + m + ": registered"), no.out());
        assertTrue(no.out().contains("\u001b[1m"), "a terminal gets colours");
        assertEquals(before, (int) given().baseUri(app.baseUri()).get("/api/schema").then().extract().path("version"), "nothing pushed");

        // yes: pushed, the transition followed with a live progress bar until active; then a change to the file asks again
        Runnable edit = () -> {
            try {
                Files.writeString(schema, Files.readString(schema).replace("\"fullName\":{\"type\":\"string\"}",
                        "\"fullName\":{\"type\":\"string\"},\"email\":{\"type\":\"string\",\"optional\":true}"));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        };
        Result yes = cli.inTerminal(Duration.ofSeconds(120), List.of(new Answer(prompt, "y"), new Answer("for changes (Ctrl-C to stop)", null, edit),
                new Answer("The schema or its migrations were modified.", null), new Answer(prompt, "n"), new Answer("Nothing pushed.", null)),
                "dev", "--schema", schema.toString(), "--migrations", migrations.toString());
        assertTrue(yes.out().contains(": \u001b[1mactive"), "the transition was followed to active: " + yes.out());
        assertTrue(yes.out().contains("\r\u001b[2K  migrating [") || yes.out().contains("Version"), "a progress bar redrawn in place");
        assertTrue(yes.out().contains("added") && yes.out().contains("email"), "the second round planned the new field: " + yes.out());
        int after = given().baseUri(app.baseUri()).get("/api/schema").then().extract().path("version");
        assertTrue(after > before, "pushed");
        assertEquals("active", given().baseUri(app.baseUri()).get("/api/schema/transition").then().extract().path("state"));
        assertEquals(20_001, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data ? 'fullName'"));

        // in a pipe dev never asks: it needs --yes
        Result pipe = cli.run("dev", "--schema", schema.toString(), "--once");
        assertEquals(2, pipe.exit());
        assertTrue(pipe.err().contains("--yes"), pipe.err());
    }

    @Test
    void progressIsABarInATerminalAndPlainLinesInAPipe() throws Exception {
        String t = TestDb.freshTable("cliprogress");
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("{\"a\":0}").post("/api/tables/" + t + "/documents").then().statusCode(201);
        TestDb.bulkLoad(t, 6_000, "jsonb_build_object('a', g)");
        String m = "cliprogress_" + t;
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":3000,"
                + "\"steps\":[{\"op\":\"setDefault\",\"field\":\"b\",\"value\":1}]}").put("/api/migrations/" + m).then().statusCode(201);
        Result terminal = cli.inTerminal(Duration.ofSeconds(60), List.of(), "run", m, "--watch");
        assertEquals(0, terminal.exit(), terminal.out());
        assertTrue(terminal.out().contains("\r\u001b[2K" + m + " ["), "redrawn in place: " + terminal.out());
        assertTrue(terminal.out().contains("docs/s") && terminal.out().contains("/6,001"), terminal.out());
        Result pipe = cli.run("run", m, "--watch", "--rerun");
        assertEquals(0, pipe.exit());
        assertFalse(pipe.out().contains("\u001b") || pipe.out().contains("\r"), "no escape codes and no carriage returns in a pipe: " + pipe.out());
        assertTrue(pipe.out().contains("6,001/6,001") && pipe.out().contains("completed"), pipe.out());
    }

    @Test
    void exportAndImportRoundTripTwoHundredThousandDocumentsInBoundedMemory() throws Exception {
        int documents = 200_000;
        String t = TestDb.freshTable("cliexport");
        given().baseUri(app.baseUri()).contentType(ContentType.JSON).body("{\"name\":\"first\",\"tags\":[\"ä\",1.5]}").post("/api/tables/" + t + "/documents").then().statusCode(201);
        TestDb.bulkLoad(t, documents - 1, "jsonb_build_object('name', 'Ünïcode ' || g, 'n', g, 'nested', jsonb_build_object('x', g % 7, 'y', null))");
        Path zip = dir.resolve("backup.zip");
        Cli small = new Cli(app.baseUri()).env("DOCSHIFT_JAVA_OPTS", "-Xmx64m");
        Result exported = small.run("export", "--table", t, "--out", zip.toString());
        assertEquals(0, exported.exit(), exported.err());
        assertTrue(exported.out().contains("200,000"), exported.out());

        String fresh = "docshift_import_" + Long.toHexString(System.nanoTime());
        try (Connection c = TestDb.connectAdmin()) {
            c.createStatement().execute("create database " + fresh);
        }
        try (AppProcess other = AppProcess.start("cli-import", Map.of("quarkus.datasource.jdbc.url", TestDb.serverUrl(fresh)))) {
            other.awaitReady(Duration.ofSeconds(90));
            Result imported = new Cli(other.baseUri()).env("DOCSHIFT_JAVA_OPTS", "-Xmx64m").run("import", zip.toString());
            assertEquals(0, imported.exit(), imported.err());
            assertTrue(imported.out().contains("imported 200,000 documents into " + t), imported.out());
            String fingerprint = "select count(*) || ':' || md5(string_agg(docshift.id_text(id) || '/' || creation_time || '/' || data::text, ',' order by id))"
                    + " from docshift_data.doc_%d";
            String source = string(TestDb.URL, String.format(fingerprint, number(TestDb.URL, t)));
            String copy = string(TestDb.serverUrl(fresh) + "?user=postgres", String.format(fingerprint, number(TestDb.serverUrl(fresh) + "?user=postgres", t)));
            assertEquals(source, copy, "the same ids, creation times and bodies");

            // an import with invalid lines is refused naming them, and stores nothing
            Path bad = dir.resolve("bad.jsonl");
            Files.writeString(bad, "{\"name\":\"fine\"}\n{\"name\":\"also fine\"}\nnot json\n{\"_id\":\"nope\"}\n{\"$reserved\":1}\n");
            Result refused = new Cli(other.baseUri()).run("import", bad.toString(), "--table", t);
            assertEquals(3, refused.exit(), refused.err());
            assertTrue(refused.err().contains("3 line(s)") && refused.err().contains("/3: not JSON") && refused.err().contains("/4/_id")
                    && refused.err().contains("/5/$reserved"), refused.err());
            assertEquals(copy, string(TestDb.serverUrl(fresh) + "?user=postgres",
                    String.format(fingerprint, number(TestDb.serverUrl(fresh) + "?user=postgres", t))), "nothing was stored");
        } finally {
            try (Connection c = TestDb.connectAdmin()) {
                c.createStatement().execute("drop database if exists " + fresh + " with (force)");
            }
        }
    }

    private static int number(String url, String table) throws Exception {
        try (Connection c = DriverManager.getConnection(url); var p = c.prepareStatement("select number from docshift.doc_table where name = ?")) {
            p.setString(1, table);
            try (var r = p.executeQuery()) {
                r.next();
                return r.getInt(1);
            }
        }
    }

    private static String string(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); var r = c.createStatement().executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    private static JsonPath json(Result r) {
        assertTrue(r.exit() == 0 || r.out().startsWith("{"), "exit " + r.exit() + ": " + r.err());
        return new JsonPath(r.out().trim());
    }

    private static List<String> lines(Result r) {
        assertEquals(0, r.exit(), r.err());
        return r.out().lines().filter(l -> !l.isBlank()).toList();
    }
}
