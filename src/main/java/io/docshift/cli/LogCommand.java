package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code docshift log}: the migration log (the seed's {@code _migrationLog}), newest first. */
@Command(name = "log", mixinStandardHelpOptions = true, description = "Show the migration log: every finished run, newest first.",
        footerHeading = "%nExamples:%n", footer = {"  docshift log", "  docshift log --limit 5 --json"})
final class LogCommand extends Action {

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "At most N runs (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    int run() {
        JsonNode log = api().get("/api/migrations/log");
        List<JsonNode> entries = new ArrayList<>();
        log.forEach(entries::add);
        entries = entries.subList(0, Math.min(limit, entries.size()));
        if (json()) {
            entries.forEach(this::print);
            return Failures.DONE;
        }
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode e : entries) {
            rows.add(Term.row(e.path("runId").asLong(), e.path("name").asText(), StatusCommand.state(e.path("state").asText(), e.path("limit")), Term.number(e.path("processed").asLong()),
                    Term.number(e.path("changed").asLong()), Term.number(e.path("stamped").asLong()), e.path("startedAt").asText(null),
                    e.hasNonNull("durationMs") ? Term.duration(Duration.ofMillis(e.path("durationMs").asLong())) : null, e.path("owner").asText(null),
                    e.hasNonNull("error") ? Term.cut(e.path("error").path("_id").asText("") + " " + e.path("error").path("message").asText(), 50) : null));
        }
        term().table(List.of("RUN", "MIGRATION", "STATE", "PROCESSED", "CHANGED", "STAMPED", "STARTED", "DURATION", "OWNER", "ERROR"), rows);
        return Failures.DONE;
    }
}
