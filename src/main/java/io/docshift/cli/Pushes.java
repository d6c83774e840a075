package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;

/** A schema push and what follows it, shared by {@code push} and {@code dev}. */
final class Pushes {

    private Pushes() {
    }

    /** Pushes {@code file}; with {@code follow}, follows the transition it opens. Returns the exit code. */
    static int push(Api api, Term term, Path file, boolean json, boolean follow) throws InterruptedException {
        JsonNode pushed = api.send("PUT", "/api/schema", Plans.contentType(file), Plans.read(file));
        JsonNode transition = pushed.path("transition");
        if (transition.isMissingNode() || transition.isNull()) {
            if (json) {
                System.out.println(pushed);
            } else {
                term.line(term.green("Version " + pushed.path("version").asInt() + " is active") + " (" + pushed.path("changes").size() + " changes).");
            }
            return Failures.DONE;
        }
        if (!json) {
            term.line("Existing documents need migrating: transition " + transition.path("id").asLong() + " to version "
                    + pushed.path("version").asInt() + " is " + transition.path("state").asText() + ".");
        }
        if (!follow) {
            if (json) {
                System.out.println(pushed);
            }
            return Failures.DONE;
        }
        JsonNode end = Follow.transition(api, term, json);
        if (json) {
            System.out.println(end);
        } else if (end.path("state").asText().equals("active")) {
            term.line(term.green("Version " + end.path("toVersion").asInt() + " is active."));
        } else {
            term.line(term.red("Transition " + end.path("state").asText() + ": " + end.path("error").path("message").asText("")));
        }
        return end.path("state").asText().equals("active") ? Failures.DONE : Failures.FAILED;
    }
}
