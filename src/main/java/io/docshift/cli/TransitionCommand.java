package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code docshift transition}: the latest schema transition; follow it, or roll it back. */
@Command(name = "transition", mixinStandardHelpOptions = true, description = "Show the latest schema transition, follow it, or roll it back.",
        footerHeading = "%nExamples:%n", footer = {"  docshift transition --watch", "  docshift transition --rollback   # asks first"})
final class TransitionCommand extends Action {

    @Option(names = "--watch", description = "Follow it until it is active, failed or rolled back; exit 1 unless active or rolled back.")
    boolean watch;

    @Option(names = "--rollback", description = "Roll the open transition back from its backups (asks first).")
    boolean rollback;

    @Option(names = {"-y", "--yes"}, description = "Roll back without asking (needed when not run in a terminal).")
    boolean yes;

    @Override
    boolean changes() {
        return rollback;
    }

    @Override
    boolean yes() {
        return yes;
    }

    @Override
    int run() throws InterruptedException {
        if (rollback) {
            if (!yes && !Prompt.confirm(term(), "Roll the open transition back on " + api().address() + "?", "roll back")) {
                term().line("Nothing rolled back.");
                return Failures.DONE;
            }
            JsonNode t = api().post("/api/schema/transition/rollback", "");
            if (!watch) {
                show(t);
                return Failures.DONE;
            }
        }
        JsonNode t = watch ? follow().transition() : api().get("/api/schema/transition");
        show(t);
        String state = t.path("state").asText();
        return !watch || state.equals("active") || state.equals("rolledBack") ? Failures.DONE : Failures.FAILED;
    }

    private void show(JsonNode t) {
        if (json()) {
            print(t);
            return;
        }
        term().line("transition " + t.path("id").asLong() + ": version " + t.path("fromVersion").asInt() + " to " + t.path("toVersion").asInt()
                + ", " + term().bold(t.path("state").asText()));
        for (JsonNode m : t.path("migrations")) {
            term().line("  " + m.path("name").asText() + "  run " + m.path("runId").asLong() + "  " + m.path("state").asText() + "  "
                    + Term.number(m.path("processed").asLong()) + "/" + Term.number(m.path("total").asLong())
                    + (m.hasNonNull("rollbackRunId") ? "  rolled back by run " + m.path("rollbackRunId").asLong() : ""));
        }
        if (t.hasNonNull("error")) {
            term().line("  " + term().red(t.path("error").path("message").asText()));
        }
    }
}
