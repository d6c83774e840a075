package io.docshift.dashboard;

import io.docshift.support.AppProcess;
import io.docshift.support.Browser;
import io.docshift.support.TestDb;
import io.docshift.support.Tools;
import io.docshift.support.Tools.Tool;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard in a real browser (Debian's headless chromium) against a packaged Docshift with access control
 * on: sign-in, live run progress, a failed run's document, a transition to active, read keys without actions,
 * and confirmations. Each test leaves a screenshot under {@code target/screenshots}.
 */
class DashboardIT {

    static final String ADMIN = "dashboard-admin-0123456789";
    static final String READER = "dashboard-reader-012345678";
    static AppProcess app;

    @RegisterExtension
    static final ExecutionCondition TOOLS = Tools.check("DashboardIT", new Tool(Browser.CHROMIUM, "chromium"), new Tool(Browser.CHROMEDRIVER, "chromium-driver"));

    @BeforeAll
    static void start() throws Exception {
        app = AppProcess.start("dashboard", Map.of("docshift.auth.enabled", "true", "docshift.migrations.poll", "1s",
                "docshift.auth.keys.ops.secret", ADMIN, "docshift.auth.keys.ops.scopes", "admin",
                "docshift.auth.keys.viewer.secret", READER, "docshift.auth.keys.viewer.scopes", "read")).awaitReady(Duration.ofSeconds(90));
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
    }

    static RequestSpecification api() {
        return given().baseUri(app.baseUri()).header("Authorization", "Bearer " + ADMIN);
    }

    /** A table of {@code n} documents and a throttled setDefault migration over it; returns the migration's name. */
    static String throttled(String prefix, int n, int perSecond) {
        String t = TestDb.freshTable(prefix);
        api().contentType(ContentType.JSON).body("{\"a\":0}").post("/api/tables/" + t + "/documents").then().statusCode(201);
        TestDb.bulkLoad(t, n - 1, "jsonb_build_object('a', g)");
        String m = "dash_" + t;
        api().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":" + perSecond
                + ",\"backup\":true,\"steps\":[{\"op\":\"setDefault\",\"field\":\"b\",\"value\":1}]}").put("/api/migrations/" + m).then().statusCode(201);
        return m;
    }

    static long start(String migration) {
        return api().contentType(ContentType.JSON).body("{}").post("/api/migrations/" + migration + "/runs").then().statusCode(202).extract().jsonPath().getLong("runId");
    }

    @Test
    void signInThenARunsProgressBarAdvancesToCompletedWithoutReloading() throws Exception {
        try (Browser b = Browser.open("progress")) {
            b.go(app.baseUri() + "/dashboard");
            assertTrue(b.text("body").contains("API key"), "the dashboard asks for a key first");
            b.signIn(ADMIN);
            b.awaitText("#session", "Signed in with ops (admin)");
            String m = throttled("dashprogress", 3_000, 600);
            long run = start(m);
            b.go(app.baseUri() + "/dashboard#/runs/" + run);
            b.script("window.__notReloaded = true");
            By bar = By.cssSelector(".bar[data-run='" + run + "']");
            b.await(() -> Long.parseLong(b.attribute(bar, "aria-valuenow")) > 0, "the bar moved off zero");
            long first = Long.parseLong(b.attribute(bar, "aria-valuenow"));
            b.await(() -> Long.parseLong(b.attribute(bar, "aria-valuenow")) > first, "the bar advanced");
            b.screenshot("run-progress");
            b.awaitText("#run-state", "completed");
            assertEquals("3000", b.attribute(bar, "aria-valuenow"));
            assertEquals(Boolean.TRUE, b.script("return window.__notReloaded === true"), "no reload: the page followed the run by its events");
            assertTrue(b.text("#run-owner").startsWith("dashboard-"), "the pod working it is named");
            b.go(app.baseUri() + "/dashboard#/overview");
            b.awaitText("main", "Pods");
            b.screenshot("overview");
        }
    }

    @Test
    void aFailedRunNamesItsDocumentAsALinkThatOpensIt() throws Exception {
        String t = TestDb.freshTable("dashfail");
        api().contentType(ContentType.JSON).body("{\"n\":\"1\"}").post("/api/tables/" + t + "/documents").then().statusCode(201);
        String bad = api().contentType(ContentType.JSON).body("{\"n\":\"not a number\"}").post("/api/tables/" + t + "/documents").then().statusCode(201)
                .extract().path("_id");
        String m = "dashconvert_" + t;
        api().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"convert\",\"field\":\"n\",\"to\":\"number\"}]}")
                .put("/api/migrations/" + m).then().statusCode(201);
        long run = start(m);
        try (Browser b = Browser.open("failed-run")) {
            b.go(app.baseUri() + "/dashboard");
            b.signIn(ADMIN);
            b.go(app.baseUri() + "/dashboard#/runs/" + run);
            b.awaitText("#run-state", "failed");
            WebElement link = b.find(By.id("failed-document"));
            assertEquals(bad, link.getText());
            b.screenshot("failed-run");
            link.click();
            b.awaitText("#document", "\"_id\": \"" + bad + "\"");
            assertTrue(b.text("#document").contains("not a number"));
        }
    }

    @Test
    void aTransitionsPageShowsItReachActive() throws Exception {
        String t = TestDb.freshTable("dashtransition");
        String v1 = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"}}}}}";
        api().contentType(ContentType.JSON).body(v1).put("/api/schema").then().statusCode(200);
        api().contentType(ContentType.JSON).body("{\"name\":\"Ada\"}").post("/api/tables/" + t + "/documents").then().statusCode(201);
        TestDb.bulkLoad(t, 12_000, "jsonb_build_object('name', 'c' || g)"); // 12 s of migrating at the throttle, for a page loading on a busy machine
        String m = "dashrename_" + t;
        api().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":1000,\"steps\":[{\"op\":\"rename\",\"from\":\"name\",\"to\":\"fullName\"}]}")
                .put("/api/migrations/" + m).then().statusCode(201);
        try (Browser b = Browser.open("transition")) {
            b.go(app.baseUri() + "/dashboard");
            b.signIn(ADMIN);
            api().contentType(ContentType.JSON).body(v1.replace("\"name\"", "\"fullName\"").replace("}}}}}", "}}}},\"migrations\":[\"" + m + "\"]}"))
                    .put("/api/schema").then().statusCode(202);
            b.go(app.baseUri() + "/dashboard#/transition");
            b.awaitText("#transition-state", "migrating");
            assertEquals("migrating", b.text(".machine .node.current"), "the current state is highlighted");
            b.screenshot("transition-migrating");
            b.awaitText("#transition-state", "active", Duration.ofSeconds(60));
            assertEquals("active", b.text(".machine .node.current"));
            b.screenshot("transition-active");
        }
    }

    @Test
    void aRehearsalsReportShowsItsVerdictOnceItEnds() throws Exception {
        String t = TestDb.freshTable("dashrehearse");
        String v1 = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"}}}}}";
        api().contentType(ContentType.JSON).body(v1).put("/api/schema").then().statusCode(200);
        api().contentType(ContentType.JSON).body("{\"name\":\"Ada\"}").post("/api/tables/" + t + "/documents").then().statusCode(201);
        TestDb.bulkLoad(t, 999, "jsonb_build_object('name', 'c' || g)");
        String m = "dashrehearse_" + t;
        api().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"backup\":true,\"steps\":[{\"op\":\"rename\",\"from\":\"name\",\"to\":\"fullName\"}]}")
                .put("/api/migrations/" + m).then().statusCode(201);
        try (Browser b = Browser.open("rehearsal")) {
            b.go(app.baseUri() + "/dashboard");
            b.signIn(ADMIN);
            long id = api().contentType(ContentType.JSON).body(v1.replace("\"name\"", "\"fullName\"").replace("}}}}}", "}}}},\"migrations\":[\"" + m + "\"]}"))
                    .post("/api/schema/rehearsals").then().statusCode(202).extract().jsonPath().getLong("id");
            b.go(app.baseUri() + "/dashboard#/rehearsals/" + id);
            b.awaitText("#rehearsal-state", "completed", Duration.ofSeconds(60));
            b.awaitText("#rehearsal-verdict", "yes");
            b.screenshot("rehearsal");
        }
    }

    @Test
    void aReadKeySeesEverythingButNoActionsAndTheApiRefusesThemAnyway() throws Exception {
        String m = throttled("dashread", 2_000, 100);
        long run = start(m);
        try (Browser b = Browser.open("read-key")) {
            b.go(app.baseUri() + "/dashboard");
            b.signIn(READER);
            b.awaitText("#session", "(read)");
            b.go(app.baseUri() + "/dashboard#/runs/" + run);
            b.awaitText("#run-state", "running");
            assertTrue(b.all("[data-action]").isEmpty(), "no cancel button for a read key");
            b.go(app.baseUri() + "/dashboard#/migrations/" + m);
            b.awaitText("main", "Runs");
            assertTrue(b.all("#start-run").isEmpty() && b.all("#dry-run").isEmpty(), "no run buttons for a read key");
            b.screenshot("read-key");
            Object status = b.script("const done = arguments[arguments.length - 1];"
                    + " fetch('/api/migrations/runs/" + run + "/cancel', {method: 'POST'}).then(r => done(r.status));", true);
            assertEquals(403L, status, "the API refuses the read key's action");
        }
        try (Browser b = Browser.open("admin-key")) {
            b.go(app.baseUri() + "/dashboard");
            b.signIn(ADMIN);
            b.go(app.baseUri() + "/dashboard#/runs/" + run);
            b.awaitText("#run-state", "running");
            assertFalse(b.all("[data-action='cancel']").isEmpty(), "an admin key gets the cancel button");
            b.click(By.cssSelector("[data-action='cancel']"));
            b.click(By.id("confirm-ok"));
            b.awaitText("#run-state", "cancelled");
        }
    }

    @Test
    void rollbackAsksForConfirmationBeforeItIsSent() throws Exception {
        String t = TestDb.freshTable("dashrollback");
        String v1 = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"}}}}}";
        api().contentType(ContentType.JSON).body(v1).put("/api/schema").then().statusCode(200);
        api().contentType(ContentType.JSON).body("{\"name\":\"Ada\"}").post("/api/tables/" + t + "/documents").then().statusCode(201);
        TestDb.bulkLoad(t, 3_000, "jsonb_build_object('name', 'c' || g)");
        String m = "dashrollback_" + t;
        api().contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"backup\":true,\"maxDocumentsPerSecond\":100,"
                + "\"steps\":[{\"op\":\"rename\",\"from\":\"name\",\"to\":\"fullName\"}]}").put("/api/migrations/" + m).then().statusCode(201);
        api().contentType(ContentType.JSON).body(v1.replace("\"name\"", "\"fullName\"").replace("}}}}}", "}}}},\"migrations\":[\"" + m + "\"]}"))
                .put("/api/schema").then().statusCode(202);
        try (Browser b = Browser.open("rollback")) {
            b.go(app.baseUri() + "/dashboard");
            b.signIn(ADMIN);
            b.go(app.baseUri() + "/dashboard#/transition");
            b.awaitText("#transition-state", "migrating");
            b.click(By.id("transition-rollback"));
            assertTrue(b.find(By.id("confirm")).isDisplayed(), "a confirmation is asked");
            assertTrue(b.text("#confirm-text").contains("Roll transition"), b.text("#confirm-text"));
            b.screenshot("rollback-confirmation");
            b.click(By.id("confirm-cancel"));
            b.awaitText("#transition-out", "Not sent.");
            assertEquals("migrating", api().get("/api/schema/transition").then().extract().path("state"), "nothing was sent");
            b.click(By.id("transition-rollback"));
            b.click(By.id("confirm-ok"));
            b.awaitText("#transition-state", "rolledBack", Duration.ofSeconds(60));
        }
    }

    @Test
    void withAccessControlOffABannerSaysSo() throws Exception {
        try (AppProcess open = AppProcess.start("dashboard-open", Map.of()).awaitReady(Duration.ofSeconds(90)); Browser b = Browser.open("access-off")) {
            b.go(open.baseUri() + "/dashboard");
            b.awaitText("#banner", "Access control is off");
            List<String> nav = new ArrayList<>();
            b.all("nav a").forEach(a -> nav.add(a.getText()));
            assertEquals(List.of("Overview", "Tables", "Schema", "Migrations", "Transition", "Rehearsals", "Log"), nav);
            b.screenshot("access-off");
        }
    }
}
