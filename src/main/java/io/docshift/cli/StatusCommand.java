package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code docshift status}, as {@code flyway info}: the active schema, an open transition, and every migration. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the active schema, an open transition and every migration with its last run.",
        footerHeading = "%nExamples:%n", footer = {"  docshift status", "  kubectl exec deploy/docshift -- docshift status", "  docshift status --json | jq .migrations"})
final class StatusCommand extends Action {

    @Override
    int run() {
        JsonNode schema = optional("/api/schema");
        JsonNode transition = optional("/api/schema/transition");
        JsonNode migrations = api().get("/api/migrations");
        if (json()) {
            ObjectNode out = Api.JSON.createObjectNode();
            out.set("schema", schema == null ? null : Api.JSON.createObjectNode().put("version", schema.path("version").asInt())
                    .put("hash", schema.path("hash").asText()).set("activatedAt", schema.path("activatedAt")));
            out.set("transition", transition);
            ArrayNode list = out.putArray("migrations");
            migrations.forEach(m -> list.add(summary(m)));
            print(out);
            return Failures.DONE;
        }
        Term t = term();
        t.line(schema == null ? "No schema pushed yet: every table is schemaless."
                : t.bold("Schema version " + schema.path("version").asInt()) + "  hash " + Term.abbrev(schema.path("hash").asText(), 12)
                + "  activated " + schema.path("activatedAt").asText());
        if (transition != null) {
            String state = transition.path("state").asText();
            boolean open = !List.of("active", "rolledBack").contains(state);
            t.line((open ? t.yellow("Transition " + transition.path("id").asLong() + " to version " + transition.path("toVersion").asInt() + ": " + state)
                    : "Last transition " + transition.path("id").asLong() + " to version " + transition.path("toVersion").asInt() + ": " + state));
            if (open) {
                for (JsonNode m : transition.path("migrations")) {
                    t.line("  " + m.path("name").asText() + "  run " + m.path("runId").asLong() + "  " + m.path("state").asText() + "  "
                            + Term.number(m.path("processed").asLong()) + "/" + Term.number(m.path("total").asLong()));
                }
                if (transition.hasNonNull("error")) {
                    t.line("  " + t.red(transition.path("error").path("message").asText()));
                }
            }
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode m : migrations) {
            JsonNode s = summary(m);
            rows.add(Term.row(s.path("name").asText(), s.path("kind").asText(), s.path("checksum").asText(), state(s.path("state").asText(), s.path("limit")),
                    s.has("processed") ? Term.number(s.path("processed").asLong()) + "/" + Term.number(s.path("total").asLong()) : null,
                    text(s, "startedAt"), s.has("durationMs") ? Term.duration(Duration.ofMillis(s.path("durationMs").asLong())) : null, text(s, "owner")));
        }
        t.table(List.of("MIGRATION", "KIND", "CHECKSUM", "STATE", "PROCESSED", "STARTED", "DURATION", "OWNER"), rows);
        return Failures.DONE;
    }

    /** One migration as status shows it: its last run's state, progress, start, duration and owner. */
    private static ObjectNode summary(JsonNode m) {
        ObjectNode s = Api.JSON.createObjectNode().put("name", m.path("name").asText()).put("kind", m.path("kind").asText())
                .put("checksum", Term.abbrev(m.path("checksum").asText(), 12));
        JsonNode run = m.path("latestRun");
        if (run.isObject()) {
            s.put("runId", run.path("runId").asLong()).put("state", m.path("state").asText(run.path("state").asText()))
                    .put("processed", run.path("processed").asLong()).put("total", run.path("total").asLong());
            if (run.hasNonNull("limit")) {
                s.put("limit", run.path("limit").asLong());
            }
            if (run.hasNonNull("startedAt")) {
                s.put("startedAt", run.path("startedAt").asText());
                s.put("durationMs", run.path("workedMs").asLong());
            }
            if (run.hasNonNull("owner")) {
                s.put("owner", run.path("owner").asText());
            }
        } else {
            s.put("state", "never run");
        }
        return s;
    }

    /** A state as a person reads it: a partial run says where it stopped, {@code completed (limit 100)}. */
    static String state(String state, JsonNode limit) {
        return limit.isIntegralNumber() ? state + " (limit " + Term.number(limit.asLong()) + ")" : state;
    }

    private static String text(JsonNode n, String field) {
        return n.hasNonNull(field) ? n.path(field).asText() : null;
    }

    private JsonNode optional(String path) {
        try {
            return api().get(path);
        } catch (Api.Refused e) {
            if (e.status == 404) {
                return null;
            }
            throw e;
        }
    }
}
