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
            term.line("No changes: the schema is the active version" + (plan.path("fromVersion").isNull() ? "." : " (" + plan.path("fromVersion").asInt() + ")."));
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
        }
        for (JsonNode m : plan.path("migrations")) {
            List<String> names = new ArrayList<>();
            m.path("migrations").forEach(n -> names.add(n.asText()));
            String where = m.path("evaluation").asText();
            term.line("Migrates " + m.path("table").asText() + " with " + String.join(", then ", names) + " ("
                    + (where.equals("sql") ? "in PostgreSQL" : where.equals("jvm") ? "in the JVM: an expression PostgreSQL cannot evaluate" : "a Java migration") + ")");
        }
    }

    private static String text(JsonNode n) {
        return n.isMissingNode() || n.isNull() ? null : n.asText();
    }
}
