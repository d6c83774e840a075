package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;

/** {@code docshift run NAME}: the seed's {@code npx convex run migrations:NAME}, with a dry run and live progress. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a migration (or dry-run it) and follow it.",
        footerHeading = "%nExamples:%n", footer = {"  docshift run backfillCustomerStatus --watch",
        "  docshift run backfillCustomerStatus --dry-run --limit 5", "  docshift run normalizeEmails --args '{\"domain\": \"example.com\"}' --rerun --json",
        "  docshift run splitName --rerun --force --watch    # run again although it would change documents again"})
final class RunCommand extends Action {

    private static final Set<String> ACTIVE = Set.of("pending", "running");

    @Parameters(paramLabel = "NAME", description = "The migration.")
    String name;

    @Option(names = "--args", paramLabel = "JSON", description = "Arguments for the migration, a JSON object.")
    String args;

    @Option(names = "--dry-run", description = "Show what would change, before and after; write nothing.")
    boolean dryRun;

    @Option(names = "--limit", paramLabel = "N", description = "Documents to show in a dry run (default 10), or to process in a real run.")
    Long limit;

    @Option(names = "--rerun", description = "Run again although it completed before; refused (exit 3, with the documents it would change"
            + " again) when the migration is not idempotent over its own output.")
    boolean rerun;

    @Option(names = "--force", description = "With --rerun: run even though it would change documents again.")
    boolean force;

    @Option(names = "--watch", description = "Follow the run with a progress bar until it ends; exit 1 if it fails. A run of NAME already pending or"
            + " running is followed instead of refused; a restart of the service is waited out.")
    boolean watch;

    @Option(names = {"-y", "--yes"}, description = "Go on with a deployment marked production where no terminal is to type its name in.")
    boolean yes;

    @Override
    boolean changes() {
        return !dryRun;
    }

    @Override
    boolean yes() {
        return yes;
    }

    @Override
    int run() throws InterruptedException {
        ObjectNode request = Api.JSON.createObjectNode().put("dryRun", dryRun).put("rerun", rerun);
        if (force) {
            request.put("force", true);
        }
        if (args != null) {
            try {
                request.set("args", Api.JSON.readTree(args));
            } catch (IOException e) {
                throw new Failures.UsageFailure("--args is not JSON: " + e.getMessage());
            }
        }
        if (limit != null) {
            request.put("limit", limit);
        }
        JsonNode answer;
        try {
            // a watcher started with the service down (or restarting) waits for it; the start is sent again only
            // while it surely did nothing, so it never starts two runs
            answer = watch && !dryRun ? restarts().callOnce(() -> api().post(path(), request)) : api().post(path(), request);
        } catch (Api.Refused e) {
            if (e.problem.has("wouldChange") && !json()) {
                // a rerun that would change its own output again: show what it would do before saying no
                printDiffs(e.problem);
            }
            JsonNode active = watch && !dryRun ? activeRun(e) : null;
            if (active == null) {
                throw e;
            }
            long runId = active.path("runId").asLong();
            notice("attached to run " + runId + " of " + name + ", already " + active.path("state").asText() + " (nothing new started).");
            return followToTheEnd(runId);
        }
        if (dryRun) {
            if (json()) {
                print(answer);
            } else {
                printDryRun(answer);
            }
            return Failures.DONE;
        }
        if (answer.path("skipped").asBoolean(false)) {
            if (json()) {
                print(answer);
            } else {
                term().line(name + " already completed in run " + answer.path("completedRun").asLong() + "; nothing to do (--rerun runs it again).");
            }
            return Failures.DONE;
        }
        long runId = answer.path("runId").asLong();
        if (!watch) {
            if (json()) {
                print(answer);
            } else {
                term().line("run " + runId + " of " + name + " is " + answer.path("state").asText() + "; follow it with: docshift run " + name + " --watch, or docshift status");
            }
            return Failures.DONE;
        }
        return followToTheEnd(runId);
    }

    private String path() {
        return "/api/migrations/" + Api.encode(name) + "/runs";
    }

    private int followToTheEnd(long runId) throws InterruptedException {
        JsonNode end = follow().run(runId);
        if (json()) {
            print(end);
        } else {
            Follow.summary(term(), end);
        }
        return end.path("state").asText().equals("completed") ? Failures.DONE : Failures.FAILED;
    }

    /**
     * The pending or running run that made the service refuse to start another (409), so that {@code --watch}
     * follows it as {@code docshift run NAME} promised: the problem names it ({@code runId}); a conflict that
     * does not (a run that started a moment ago) is checked against the migration's latest run.
     */
    private JsonNode activeRun(Api.Refused refusal) {
        if (refusal.status != 409) {
            return null;
        }
        JsonNode named = refusal.problem;
        if (!named.hasNonNull("runId")) {
            named = api().get("/api/migrations/" + Api.encode(name)).path("latestRun");
        }
        return named.hasNonNull("runId") && ACTIVE.contains(named.path("state").asText()) ? named : null;
    }

    private void printDryRun(JsonNode report) {
        term().line("Dry run of " + name + ": " + Term.number(report.path("wouldChange").asLong()) + " of "
                + Term.count(report.path("examined").asLong(), "document") + " would change; nothing was written.");
        printDiffs(report);
    }

    private void printDiffs(JsonNode report) {
        for (JsonNode d : report.path("documents")) {
            term().line(term().bold(d.path("_id").asText()));
            diff(d.path("before"), d.path("after"), "");
        }
    }

    /** Field by field: "-" the value before, "+" the value after. */
    private void diff(JsonNode before, JsonNode after, String prefix) {
        TreeSet<String> keys = new TreeSet<>();
        before.fieldNames().forEachRemaining(keys::add);
        after.fieldNames().forEachRemaining(keys::add);
        for (String k : keys) {
            JsonNode b = before.get(k);
            JsonNode a = after.get(k);
            if (b != null && a != null && b.equals(a)) {
                continue;
            }
            if (b != null && a != null && b.isObject() && a.isObject()) {
                diff(b, a, prefix + k + ".");
                continue;
            }
            if (b != null) {
                term().line(term().red("  - " + prefix + k + ": " + b));
            }
            if (a != null) {
                term().line(term().green("  + " + prefix + k + ": " + a));
            }
        }
    }
}
