package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.TreeSet;

/** {@code docshift run NAME}: the seed's {@code npx convex run migrations:NAME}, with a dry run and live progress. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a migration (or dry-run it) and follow it.",
        footerHeading = "%nExamples:%n", footer = {"  docshift run backfillCustomerStatus --watch",
        "  docshift run backfillCustomerStatus --dry-run --limit 5", "  docshift run normalizeEmails --args '{\"domain\": \"example.com\"}' --rerun --json"})
final class RunCommand extends Action {

    @Parameters(paramLabel = "NAME", description = "The migration.")
    String name;

    @Option(names = "--args", paramLabel = "JSON", description = "Arguments for the migration, a JSON object.")
    String args;

    @Option(names = "--dry-run", description = "Show what would change, before and after; write nothing.")
    boolean dryRun;

    @Option(names = "--limit", paramLabel = "N", description = "Documents to show in a dry run (default 10), or to process in a real run.")
    Long limit;

    @Option(names = "--rerun", description = "Run again although it completed before.")
    boolean rerun;

    @Option(names = "--watch", description = "Follow the run with a progress bar until it ends; exit 1 if it fails.")
    boolean watch;

    @Override
    int run() throws InterruptedException {
        ObjectNode request = Api.JSON.createObjectNode().put("dryRun", dryRun).put("rerun", rerun);
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
        JsonNode answer = api().post("/api/migrations/" + Api.encode(name) + "/runs", request);
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
        JsonNode end = Follow.run(api(), term(), runId, json());
        if (json()) {
            print(end);
        } else {
            Follow.summary(term(), end);
        }
        return end.path("state").asText().equals("completed") ? Failures.DONE : Failures.FAILED;
    }

    private void printDryRun(JsonNode report) {
        term().line("Dry run of " + name + ": " + Term.number(report.path("wouldChange").asLong()) + " of "
                + Term.number(report.path("examined").asLong()) + " document(s) would change; nothing was written.");
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
