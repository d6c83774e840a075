package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code docshift rehearse FILE}: the transition a push of the schema would run, rehearsed by the service on a copy
 * of the documents, followed to its report. Writes no live document; exits 0 only when the transition would
 * succeed and the rollback restored every body.
 */
@Command(name = "rehearse", mixinStandardHelpOptions = true,
        description = "Rehearse the transition a push of this schema would run, on a copy of the documents: speed, failures, violations, rollback.",
        footerHeading = "%nExamples:%n", footer = {"  docshift rehearse docshift/schema.json",
        "  docshift rehearse schema.yaml --sample 10000 --deployment prod --json",
        "", "The migrations the schema lists must be registered (docshift deploy --dry-run registers them).",
        "Exit codes: 0 the transition would succeed and the rollback restored every body, 1 it would not (or the rehearsal failed),"
                + " 3 the service refused (another rehearsal is running, bad input)."})
final class RehearseCommand extends Action {

    private static final long POLL_MILLIS = 500;

    @Parameters(paramLabel = "FILE", description = "The schema, JSON or YAML (.yaml, .yml), naming its migrations.")
    Path file;

    @Option(names = "--sample", paramLabel = "N", description = "Copy N documents of each migrated table, chosen uniformly, instead of all of them.")
    Long sample;

    @Override
    int run() throws InterruptedException {
        notice("Target: " + deployment().describe());
        SchemaFile schema = SchemaFile.read(file);
        JsonNode report = api().send("POST", "/api/schema/rehearsals" + (sample == null ? "" : "?sample=" + sample), schema.contentType(), schema.bytes());
        long id = report.path("id").asLong();
        notice("Rehearsal " + id + " on a copy of the documents; the live ones are only read.");
        String phase = null;
        while (report.path("state").asText().equals("running")) {
            if (!report.path("phase").asText().equals(phase)) {
                phase = report.path("phase").asText();
                notice("  " + phase);
            }
            Thread.sleep(POLL_MILLIS);
            report = restarts().call(() -> api().get("/api/schema/rehearsals/" + id));
        }
        if (json()) {
            print(report);
        } else {
            print(term(), report);
        }
        boolean fine = report.path("state").asText().equals("completed") && report.path("transitionWouldSucceed").asBoolean()
                && report.path("rollbackByteForByte").asBoolean();
        return fine ? Failures.DONE : Failures.FAILED;
    }

    /** The report as a person reads it: a row per table, then what it means for the real transition. */
    static void print(Term term, JsonNode r) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode t : r.path("tables")) {
            JsonNode s = t.path("sweep");
            JsonNode rb = t.path("rollback");
            rows.add(Term.row(t.path("table").asText(), Term.number(t.path("copied").asLong()) + "/" + Term.number(t.path("liveDocuments").asLong()),
                    s.isMissingNode() || s.isNull() ? "-" : Term.number(s.path("changed").asLong()),
                    s.isMissingNode() || s.isNull() ? "-" : Term.number(s.path("stamped").asLong()),
                    s.isMissingNode() || s.isNull() ? "-" : Term.number(Math.round(s.path("docsPerSecond").asDouble())),
                    s.path("projectedSeconds").isNumber() ? String.format(Locale.ROOT, "%.1fs", s.path("projectedSeconds").asDouble()) : "-",
                    t.path("verification").isObject() ? Term.number(t.path("verification").path("violating").asLong()) : "-",
                    rb.isObject() ? (rb.path("byteForByte").asBoolean() ? term.green("restored") : term.red(Term.count(rb.path("mismatched").asLong(), "mismatch", "mismatches")))
                            : "-"));
        }
        term.table(List.of("TABLE", "COPIED", "CHANGED", "STAMPED", "DOCS/S", "PROJECTED", "VIOLATING", "ROLLBACK"), rows);
        for (JsonNode t : r.path("tables")) {
            JsonNode f = t.path("firstFailure");
            if (f.isObject()) {
                term.line(term.red("The sweep of " + t.path("table").asText() + " would fail on " + f.path("_id").asText("a document")) + " (" + f.path("migration").asText()
                        + "): " + f.path("message").asText());
            }
            for (JsonNode e : t.path("verification").path("examples")) {
                term.line("  " + e.path("_id").asText() + "  " + e.path("path").asText() + "  " + e.path("message").asText());
            }
            if (!t.path("backup").asBoolean()) {
                term.line(term.yellow(t.path("table").asText() + ": its migration keeps no backups, so the real transition could not be rolled back"));
            }
        }
        JsonNode live = r.path("live");
        if (live.isObject()) {
            term.line((live.path("unchanged").asBoolean() ? "Live documents unchanged" : term.yellow("Live documents changed during the rehearsal (by clients)"))
                    + " (fingerprint " + Term.abbrev(live.path("fingerprintAfter").asText(), 12) + "); "
                    + Term.count(live.path("writtenMeanwhile").asLong(), "document") + " written by clients meanwhile.");
        }
        if (!r.path("state").asText().equals("completed")) {
            term.line(term.red("The rehearsal failed: " + r.path("error").asText()));
        } else if (r.path("transitionWouldSucceed").asBoolean()) {
            term.line(term.green("The transition would succeed") + (r.path("rollbackByteForByte").asBoolean() ? ", and its rollback restores every body byte for byte." : "."));
        } else {
            term.line(term.red("The transition would fail: fix the documents or the migrations, then rehearse again."));
        }
    }
}
