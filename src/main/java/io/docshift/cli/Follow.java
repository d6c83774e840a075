package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Set;

/**
 * Follows a run or a transition until it ends, showing its progress unless {@code quiet} (for --json). Both go on
 * in the service whatever the CLI does, so a restart of the service is waited out ({@link Restarts}), not an end.
 */
final class Follow {

    private static final long POLL_MILLIS = 250;
    private static final Set<String> RUN_ENDED = Set.of("completed", "failed", "cancelled", "rolledBack");
    private static final Set<String> TRANSITION_ENDED = Set.of("active", "failed", "rolledBack");

    private final Api api;
    private final Term term;
    private final Restarts restarts;
    private final boolean quiet;

    Follow(Api api, Term term, Restarts restarts, boolean quiet) {
        this.api = api;
        this.term = term;
        this.restarts = restarts;
        this.quiet = quiet;
    }

    /** Shows a run's progress until it ends; returns its last state. */
    JsonNode run(long runId) throws InterruptedException {
        while (true) {
            JsonNode run = restarts.call(() -> api.get("/api/migrations/runs/" + runId));
            if (!quiet) {
                term.progress(run.path("migration").asText(), run.path("processed").asLong(), run.path("total").asLong(),
                        run.path("documentsPerSecond").asDouble(-1), owner(run));
            }
            if (RUN_ENDED.contains(run.path("state").asText())) {
                term.endProgress();
                return run;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** Shows a transition's progress until it is active, failed or rolled back; returns its last state. */
    JsonNode transition() throws InterruptedException {
        String shown = null;
        while (true) {
            JsonNode t = restarts.call(() -> api.get("/api/schema/transition"));
            String state = t.path("state").asText();
            if (!quiet && !state.equals(shown)) {
                term.line("transition " + t.path("id").asLong() + " to version " + t.path("toVersion").asInt() + ": " + term.bold(state));
                shown = state;
            }
            if (!quiet && (state.equals("migrating") || state.equals("rollingBack"))) {
                long done = 0;
                long total = 0;
                for (JsonNode m : t.path("migrations")) {
                    done += m.path("processed").asLong();
                    total += m.path("total").asLong();
                }
                term.progress("  " + state, done, total, -1, null);
            }
            if (TRANSITION_ENDED.contains(state)) {
                term.endProgress();
                return t;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** The summary line of an ended run, and for a failed one the document and why. */
    static void summary(Term term, JsonNode run) {
        String state = run.path("state").asText();
        String line = "run " + run.path("runId").asLong() + " of " + run.path("migration").asText() + " " + state + ": "
                + Term.number(run.path("processed").asLong()) + " processed, " + Term.number(run.path("changed").asLong()) + " changed"
                + (run.hasNonNull("documentsPerSecond") ? ", " + Term.number(Math.round(run.path("documentsPerSecond").asDouble())) + " docs/s" : "")
                + (owner(run) == null ? "" : " (" + owner(run) + ")");
        term.line(state.equals("completed") ? term.green(line) : term.red(line));
        if (run.hasNonNull("error")) {
            term.line("  document " + run.path("error").path("_id").asText("(none)") + ": " + run.path("error").path("message").asText());
        }
    }

    private static String owner(JsonNode run) {
        return run.hasNonNull("owner") ? "on " + run.path("owner").asText() : null;
    }
}
