package io.docshift.transition;

import io.docshift.support.AppProcess;
import io.docshift.support.TestDb;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * F5 for the transition lock: the pod verifying a transition is frozen (SIGSTOP) with its session, and its
 * locks, alive. Once it has not beaten its heart for stale-after, the other pod terminates its session, takes
 * the lock and completes the transition.
 */
class TransitionLockTakeoverIT {

    static final Duration STALE_AFTER = Duration.ofSeconds(3);
    static final Duration POLL = Duration.ofSeconds(1);
    static final int DOCUMENTS = 100_000;
    /** The transition lock's purpose, as stored in docshift.lock_holder. */
    static final int TRANSITION_LOCK = 4;

    @Test
    void F5_aFrozenPodVerifyingATransitionLosesItAndAnotherPodCompletesIt() throws Exception {
        List<AppProcess> pods = new ArrayList<>();
        AppProcess frozen = null;
        try {
            for (int i = 0; i < 2; i++) {
                pods.add(AppProcess.start("verify-" + i, Map.of("docshift.migrations.poll", POLL.toSeconds() + "s",
                        "docshift.coordination.stale-after", STALE_AFTER.toSeconds() + "s")));
            }
            for (AppProcess pod : pods) {
                pod.awaitReady(Duration.ofSeconds(90));
            }
            String api = pods.get(0).baseUri();
            String t = TestDb.freshTable("frozen");
            String v1 = "{\"tables\":{\"" + t + "\":{\"document\":{\"name\":{\"type\":\"string\"}}}}}";
            given().baseUri(api).contentType(ContentType.JSON).body(v1).put("/api/schema").then().statusCode(200);
            given().baseUri(api).contentType(ContentType.JSON).body("{\"name\":\"first\"}").post("/api/tables/" + t + "/documents").then().statusCode(201);
            TestDb.bulkLoad(t, DOCUMENTS - 1, "jsonb_build_object('name', 'c' || g)");
            String m = "renameFrozen_" + t;
            given().baseUri(api).contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"steps\":[{\"op\":\"rename\",\"from\":\"name\",\"to\":\"fullName\"}]}")
                    .put("/api/migrations/" + m).then().statusCode(201);
            given().baseUri(api).contentType(ContentType.JSON).body(v1.replace("\"name\"", "\"fullName\"").replace("}}}}}", "}}}},\"migrations\":[\"" + m + "\"]}"))
                    .put("/api/schema").then().statusCode(202);

            String holder = awaitVerifyingHolder(api, Duration.ofMinutes(2));
            frozen = pods.stream().filter(p -> holder.startsWith(p.name() + "-")).findFirst().orElseThrow();
            frozen.pause();
            long frozenAt = System.nanoTime();
            AppProcess paused = frozen;
            AppProcess other = pods.stream().filter(p -> p != paused).findFirst().orElseThrow();
            assertNotEquals("active", state(other.baseUri()).getString("state"), "the frozen pod had not activated the transition yet");

            JsonPath end = null;
            while (System.nanoTime() - frozenAt < Duration.ofMinutes(1).toNanos()) {
                end = state(other.baseUri());
                if (end.getString("state").equals("active") || end.getString("state").equals("failed")) {
                    break;
                }
                Thread.sleep(20);
            }
            long tookMillis = (System.nanoTime() - frozenAt) / 1_000_000;
            assertEquals("active", end.getString("state"), end.prettify());
            // stale-after, two polls, and the new holder's own verification of the table (well under 2 s here)
            long bound = STALE_AFTER.toMillis() + 2 * POLL.toMillis() + 2_000;
            assertTrue(tookMillis <= bound, "the other pod completed the transition " + tookMillis + " ms after the freeze, more than " + bound);
            assertEquals(DOCUMENTS, TestDb.scalar("select count(*) from " + TestDb.physical(t) + " where data ? 'fullName' and not data ? 'name'"));
            assertTrue(other.logText().contains("terminated its session"), "the other pod fenced the frozen one off");

            // the frozen pod wakes up to a closed session and serves again, with the new version
            frozen.resume();
            AppProcess woken = frozen;
            frozen = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            int version = -1;
            while (System.nanoTime() < deadline) {
                try {
                    version = given().baseUri(woken.baseUri()).get("/api/schema").then().extract().path("version");
                    if (version == end.getInt("toVersion")) {
                        break;
                    }
                } catch (RuntimeException e) {
                    // its first requests may meet the connections that were closed under it
                }
                Thread.sleep(100);
            }
            assertEquals(end.getInt("toVersion"), version, "the woken pod serves the new version");
            System.out.printf("transition takeover: holder %s frozen during verification; the other pod made it active %d ms later (stale-after %s, poll %s)%n",
                    holder, tookMillis, STALE_AFTER, POLL);
        } finally {
            if (frozen != null) {
                frozen.resume();
            }
            for (AppProcess pod : pods) {
                pod.close();
            }
        }
    }

    private static JsonPath state(String api) {
        return given().baseUri(api).get("/api/schema/transition").then().statusCode(200).extract().jsonPath();
    }

    /** Waits until the transition verifies, and returns the worker holding its lock. */
    private static String awaitVerifyingHolder(String api, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = TestDb.connect(); PreparedStatement p = c.prepareStatement("select t.state, h.worker from docshift.transition t"
                + " left join docshift.lock_holder h on h.purpose = ? where t.id = (select max(id) from docshift.transition)")) {
            p.setInt(1, TRANSITION_LOCK);
            while (System.nanoTime() < deadline) {
                try (ResultSet r = p.executeQuery()) {
                    String state = r.next() ? r.getString(1) : "none";
                    if ("verifying".equals(state) && r.getString(2) != null) {
                        return r.getString(2);
                    }
                    if ("active".equals(state)) {
                        throw new AssertionError("the transition became active before it could be caught verifying");
                    }
                }
                Thread.sleep(5);
            }
        }
        throw new AssertionError("the transition never verified within " + timeout + ": " + state(api).prettify());
    }
}
