package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.List;

/** {@code docshift schema}: the active schema (or version N), and what changed since version M. */
// No mixinStandardHelpOptions: its -V/--version would clash with --version N, and picocli then drops the whole
// mixin, --help included. The help option is declared here instead.
@Command(name = "schema", description = "Show the active schema, another version, or the changes between two.",
        footerHeading = "%nExamples:%n", footer = {"  docshift schema", "  docshift schema --version 3", "  docshift schema --version 5 --diff 3"})
final class SchemaCommand extends Action {

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Option(names = "--version", paramLabel = "N", description = "This version instead of the active one.")
    Integer version;

    @Option(names = "--diff", paramLabel = "M", description = "Show what changed from version M to it.")
    Integer diff;

    @Override
    int run() {
        JsonNode v = version == null ? api().get("/api/schema") : api().get("/api/schema/versions/" + version);
        int n = v.path("version").asInt();
        if (diff != null) {
            JsonNode changes = api().get("/api/schema/diff?from=" + diff + "&to=" + n);
            if (json()) {
                ObjectNode out = Api.JSON.createObjectNode().put("from", diff).put("to", n);
                out.set("changes", changes);
                print(out);
                return Failures.DONE;
            }
            term().line("Changes from version " + diff + " to " + n + ":");
            Plans.print(term(), Api.JSON.createObjectNode().put("fromVersion", diff).set("changes", changes));
            return Failures.DONE;
        }
        if (json()) {
            print(v);
            return Failures.DONE;
        }
        term().line(term().bold("Version " + n) + "  hash " + Term.abbrev(v.path("hash").asText(), 12)
                + (v.hasNonNull("activatedAt") ? "  activated " + v.path("activatedAt").asText() : "  (never active)"));
        List<List<String>> rows = new ArrayList<>();
        JsonNode tables = v.path("schema").path("tables");
        tables.fieldNames().forEachRemaining(t -> {
            JsonNode table = tables.get(t);
            List<String> indexes = new ArrayList<>();
            table.path("indexes").forEach(i -> indexes.add(i.path("name").asText() + i.path("fields").toString()));
            rows.add(Term.row(t, table.path("document").has("type") ? table.path("document").path("type").asText() : table.path("document").size() + " fields",
                    String.join(" ", indexes)));
        });
        term().table(List.of("TABLE", "DOCUMENT", "INDEXES"), rows);
        for (JsonNode i : v.path("indexes")) {
            if (!i.path("state").asText().equals("ready")) {
                term().line("index " + i.path("table").asText() + "." + i.path("name").asText() + " is " + term().yellow(i.path("state").asText()));
            }
        }
        term().line(v.path("schema").toPrettyString());
        return Failures.DONE;
    }
}
