package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.file.Path;

/**
 * A schema push as {@code push} and {@code dev} make it: the plan, the question, the push of exactly the bytes
 * planned, and the transition it opens followed.
 */
final class Pushes {

    private final Api api;
    private final Term term;
    private final Follow follow;
    private final boolean json;

    Pushes(Api api, Term term, Follow follow, boolean json) {
        this.api = api;
        this.term = term;
        this.follow = follow;
        this.json = json;
    }

    /**
     * Plans the file and, when it changes anything, asks (unless {@code yes}) and pushes the bytes it planned. A
     * file edited while the question waited is planned and asked about again: nobody pushes what they were not
     * shown. With {@code followTransition}, follows the transition the push opens. Returns the exit code.
     */
    int planAskPush(Path path, boolean yes, boolean followTransition) throws InterruptedException {
        while (true) {
            SchemaFile file = SchemaFile.read(path);
            JsonNode plan = Plans.plan(api, file);
            if (!json) {
                Plans.print(term, plan);
            }
            if (!Plans.changes(plan)) {
                // nothing to push, so nothing to ask either: this ends well in a pipe without --yes too
                if (json) {
                    ObjectNode unchanged = Api.JSON.createObjectNode();
                    unchanged.set("version", plan.path("fromVersion"));
                    unchanged.set("changes", plan.path("changes"));
                    System.out.println(unchanged);
                }
                return Failures.DONE;
            }
            if (!yes) {
                if (!Prompt.confirm(term, "Push changes to " + api.address() + "?", "push")) {
                    term.line("Nothing pushed.");
                    return Failures.DONE;
                }
                if (file.changedOnDisk()) {
                    term.line(term.yellow(path + " changed while the question waited; planning it again."));
                    continue;
                }
            }
            JsonNode pushed = push(file, followTransition);
            if (json) {
                System.out.println(followTransition && opened(pushed) ? pushed.path("transition") : pushed);
            }
            return failed(pushed) ? Failures.FAILED : Failures.DONE;
        }
    }

    /**
     * Pushes the file's bytes, saying what came of it unless {@code json}; with {@code followTransition}, follows the
     * transition it opens. Returns the service's answer, its {@code transition} as it ended when followed.
     */
    JsonNode push(SchemaFile file, boolean followTransition) throws InterruptedException {
        ObjectNode pushed = (ObjectNode) api.send("PUT", "/api/schema", file.contentType(), file.bytes());
        if (!opened(pushed)) {
            if (!json) {
                term.line(term.green("Version " + pushed.path("version").asInt() + " is active") + " (" + Term.count(pushed.path("changes").size(), "change") + ").");
            }
            return pushed;
        }
        JsonNode transition = pushed.path("transition");
        if (!json) {
            term.line("Existing documents need migrating: transition " + transition.path("id").asLong() + " to version "
                    + pushed.path("version").asInt() + " is " + transition.path("state").asText() + ".");
        }
        if (!followTransition) {
            return pushed;
        }
        JsonNode end = follow.transition();
        if (!json && end.path("state").asText().equals("active")) {
            term.line(term.green("Version " + end.path("toVersion").asInt() + " is active."));
        } else if (!json) {
            term.line(term.red("Transition " + end.path("state").asText() + ": " + end.path("error").path("message").asText("")));
        }
        pushed.set("transition", end);
        return pushed;
    }

    /** Whether a push opened (or joined) a transition. */
    static boolean opened(JsonNode pushed) {
        return !pushed.path("transition").isMissingNode() && !pushed.path("transition").isNull();
    }

    /** Whether a push's transition, followed to its end, did not end active. */
    static boolean failed(JsonNode pushed) {
        String state = pushed.path("transition").path("state").asText("active");
        return state.equals("failed") || state.equals("rolledBack");
    }
}
