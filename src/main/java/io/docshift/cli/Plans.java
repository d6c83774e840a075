package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** A schema file planned as it is (JSON or YAML), and a plan shown as a readable table. */
final class Plans {

    private Plans() {
    }

    /** {@code POST /api/schema/plan} of a file's bytes. */
    static JsonNode plan(Api api, SchemaFile file) {
        return api.send("POST", "/api/schema/plan", file.contentType(), file.bytes());
    }

    /** Whether a plan changes anything. */
    static boolean changes(JsonNode plan) {
        return plan.path("changes").size() > 0;
    }

    /** The plan as a person reads it: each change with its safety, then each violating table with examples. */
    static void print(Term term, JsonNode plan) {
        if (!changes(plan)) {
            term.line("No changes: the schema is the active version" + (plan.hasNonNull("fromVersion") ? " (" + plan.path("fromVersion").asInt() + ")." : "."));
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode c : plan.path("changes")) {
            String safety = c.path("safety").asText();
            // "added index by_email", not "added -": a change names its field or its index, whichever it is about
            String name = c.hasNonNull("field") ? text(c.path("field")) : text(c.path("index"));
            rows.add(Term.row(c.path("change").asText() + " " + c.path("kind").asText(), c.path("table").asText(null), name,
                    safety.equals("safe") ? term.green(safety) : term.yellow(safety), Term.cut(text(c.path("detail")), 60)));
        }
        term.table(List.of("CHANGE", "TABLE", "NAME", "SAFETY", "DETAIL"), rows);
        for (JsonNode v : plan.path("violations")) {
            long violating = v.path("violating").asLong();
            term.line(term.red(Term.count(violating, "document") + " of " + v.path("table").asText() + (violating == 1 ? " violates" : " violate") + " it")
                    + ", for example:");
            for (JsonNode e : v.path("examples")) {
                term.line("  " + e.path("_id").asText() + "  " + e.path("path").asText() + "  " + e.path("message").asText());
            }
            printForecast(term, v);
        }
        if (plan.path("alreadyApplied").size() > 0) {
            List<String> applied = new ArrayList<>();
            plan.path("alreadyApplied").forEach(n -> applied.add(n.asText()));
            term.line("Already applied, not run again: " + String.join(", ", applied));
        }
        for (JsonNode m : plan.path("migrations")) {
            List<String> names = new ArrayList<>();
            m.path("migrations").forEach(n -> names.add(n.asText()));
            String where = m.path("evaluation").asText();
            term.line("Migrates " + m.path("table").asText() + " with " + String.join(", then ", names) + " ("
                    + (where.equals("sql") ? "in PostgreSQL" : where.equals("jvm") ? "in the JVM: an expression PostgreSQL cannot evaluate" : "a Java migration") + ")");
        }
    }

    /** What the listed migrations would leave of a table: cured, still violating (with examples), or failing on documents. */
    private static void printForecast(Term term, JsonNode v) {
        JsonNode after = v.path("afterMigrations");
        if (after.isMissingNode() || after.isNull()) {
            return;
        }
        String sample = after.path("sample").asBoolean() ? " (a sample: " + Term.count(after.path("simulated").asLong(), "document") + " simulated)" : "";
        long left = after.path("violating").asLong();
        long failing = after.path("failing").asLong();
        if (left == 0 && failing == 0) {
            term.line(term.green("After the listed migrations: none would violate it") + sample);
            return;
        }
        if (left > 0) {
            term.line(term.red("After the listed migrations: " + Term.count(left, "document") + " would" + " still violate it") + sample
                    + ", for example:");
            for (JsonNode e : after.path("examples")) {
                term.line("  " + e.path("_id").asText() + "  " + e.path("path").asText() + "  " + e.path("message").asText());
            }
        }
        if (failing > 0) {
            term.line(term.red("A listed migration would fail on " + Term.count(failing, "document")) + sample + ":");
            for (JsonNode f : after.path("failures")) {
                term.line("  " + f.path("_id").asText() + "  " + f.path("migration").asText() + "  " + f.path("message").asText());
            }
        }
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? null : n.asText();
    }
}
