package io.docshift.events;

import io.docshift.support.AppProcess;
import io.docshift.support.TestDb;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /api/events} is the whole cluster's: a client of one pod sees the progress and the completion of a run
 * that another pod works, and a client that reconnects with Last-Event-ID gets exactly what it missed.
 */
class EventsIT {

    /** One server-sent event. */
    record Sse(long id, String name, JsonPath data) {
    }

    @Test
    void aClientOfOnePodSeesARunThatAnotherPodWorksAndAReconnectGetsWhatItMissed() throws Exception {
        try (AppProcess watcher = AppProcess.start("events-a", Map.of("docshift.migrations.worker", "false"));
             AppProcess worker = AppProcess.start("events-b", Map.of("docshift.migrations.poll", "1s"))) {
            watcher.awaitReady(Duration.ofSeconds(90));
            worker.awaitReady(Duration.ofSeconds(90));
            String t = TestDb.freshTable("events");
            given().baseUri(watcher.baseUri()).contentType(ContentType.JSON).body("{\"a\":0}").post("/api/tables/" + t + "/documents").then().statusCode(201);
            TestDb.bulkLoad(t, 3_999, "jsonb_build_object('a', g)");
            String m = "events_" + t;
            given().baseUri(watcher.baseUri()).contentType(ContentType.JSON).body("{\"table\":\"" + t + "\",\"maxDocumentsPerSecond\":1000,"
                    + "\"steps\":[{\"op\":\"setDefault\",\"field\":\"b\",\"value\":1}]}").put("/api/migrations/" + m).then().statusCode(201);

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<Stream<String>> stream = http.send(HttpRequest.newBuilder(URI.create(watcher.baseUri() + "/api/events?kind=run.progress&kind=run.state"))
                    .header("Accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines());
            assertEquals(200, stream.statusCode());
            assertTrue(stream.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
            long run = given().baseUri(watcher.baseUri()).contentType(ContentType.JSON).body("{}").post("/api/migrations/" + m + "/runs")
                    .then().statusCode(202).extract().jsonPath().getLong("runId");

            List<Sse> seen = read(stream.body().iterator(), e -> e.data().getLong("runId") == run && e.name().equals("run.state")
                    && e.data().getString("state").equals("completed"), Duration.ofSeconds(60));
            List<Sse> ofRun = seen.stream().filter(e -> e.data().getLong("runId") == run).toList();
            List<Sse> progress = ofRun.stream().filter(e -> e.name().equals("run.progress")).toList();
            assertTrue(progress.size() >= 3, "progress events of the run: " + progress.size());
            for (int i = 1; i < progress.size(); i++) {
                assertTrue(progress.get(i).data().getLong("processed") > progress.get(i - 1).data().getLong("processed"), "progress only goes forward");
                assertTrue(progress.get(i).id() > progress.get(i - 1).id(), "ids increase");
            }
            assertTrue(progress.get(0).data().getString("owner").startsWith("events-b-"), "worked by the other pod: " + progress.get(0).data().getString("owner"));
            Sse last = ofRun.get(ofRun.size() - 1);
            assertEquals(4_000, last.data().getLong("processed"));
            assertTrue(ofRun.stream().anyMatch(e -> e.name().equals("run.state") && e.data().getString("state").equals("running")), "the claim is an event");

            // a reconnect with Last-Event-ID: everything after that event, nothing before, in order, also from the other pod
            Sse resumeAfter = progress.get(1);
            List<Long> missed = seen.stream().filter(e -> e.id() > resumeAfter.id()).map(Sse::id).toList();
            HttpResponse<Stream<String>> again = http.send(HttpRequest.newBuilder(URI.create(worker.baseUri() + "/api/events?kind=run.progress&kind=run.state"))
                    .header("Accept", "text/event-stream").header("Last-Event-ID", Long.toString(resumeAfter.id())).build(), HttpResponse.BodyHandlers.ofLines());
            List<Sse> replayed = read(again.body().iterator(), e -> e.id() == last.id(), Duration.ofSeconds(20));
            assertEquals(missed, replayed.stream().map(Sse::id).toList(), "the reconnect got exactly the events it missed");
            System.out.printf("events: %d progress events of run %d seen on the watching pod; %d replayed after Last-Event-ID %d%n",
                    progress.size(), run, replayed.size(), resumeAfter.id());
        }
    }

    /** Reads events until one matches {@code until} (included). */
    private static List<Sse> read(Iterator<String> lines, Predicate<Sse> until, Duration timeout) throws Exception {
        CompletableFuture<List<Sse>> done = CompletableFuture.supplyAsync(() -> {
            List<Sse> out = new ArrayList<>();
            long id = -1;
            String name = "message";
            StringBuilder data = new StringBuilder();
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.isEmpty()) {
                    if (data.length() > 0) {
                        Sse e = new Sse(id, name, new JsonPath(data.toString()));
                        out.add(e);
                        if (until.test(e)) {
                            return out;
                        }
                    }
                    id = -1;
                    name = "message";
                    data.setLength(0);
                } else if (line.startsWith("id:")) {
                    id = Long.parseLong(line.substring(3).trim());
                } else if (line.startsWith("event:")) {
                    name = line.substring(6).trim();
                } else if (line.startsWith("data:")) {
                    data.append(line.substring(5).trim());
                }
            }
            throw new AssertionError("the stream ended");
        });
        return done.get(timeout.toSeconds(), TimeUnit.SECONDS);
    }
}
