package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code docshift cancel|resume|rollback RUN}: an operator action on one run. */
abstract class RunActionCommand extends Action {

    @Parameters(paramLabel = "RUN", description = "The run's id.")
    long runId;

    @Option(names = "--watch", description = "Then follow the run (or the rollback run) until it ends.")
    boolean watch;

    @Option(names = {"-y", "--yes"}, description = "Go on with a deployment marked production where no terminal is to type its name in.")
    boolean yes;

    abstract String action();

    @Override
    boolean changes() {
        return true;
    }

    @Override
    boolean yes() {
        return yes;
    }

    @Override
    int run() throws InterruptedException {
        JsonNode answer = api().post("/api/migrations/runs/" + runId + "/" + action(), "");
        long followed = answer.path("runId").asLong(runId);
        if (!watch) {
            if (json()) {
                print(answer);
            } else {
                term().line("run " + followed + ": " + answer.path("state").asText());
            }
            return Failures.DONE;
        }
        JsonNode end = follow().run(followed);
        if (json()) {
            print(end);
        } else {
            Follow.summary(term(), end);
        }
        return end.path("state").asText().equals("completed") ? Failures.DONE : Failures.FAILED;
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, description = "Cancel a pending or running run; it stops at its next batch boundary.",
            footerHeading = "%nExamples:%n", footer = "  docshift cancel 42")
    static final class Cancel extends RunActionCommand {
        @Override
        String action() {
            return "cancel";
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a cancelled or failed run from its last committed batch.",
            footerHeading = "%nExamples:%n", footer = {"  docshift resume 42", "  docshift resume 42 --watch"})
    static final class Resume extends RunActionCommand {
        @Override
        String action() {
            return "resume";
        }
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, description = "Roll a run of a \"backup\": true migration back, as a run of its own.",
            footerHeading = "%nExamples:%n", footer = {"  docshift rollback 42 --watch"})
    static final class Rollback extends RunActionCommand {
        @Override
        String action() {
            return "rollback";
        }
    }
}
