package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** {@code docshift data TABLE}, as {@code npx convex data}: a page of documents, as a table or JSON lines. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Show documents of a table: a page in creation order, or through an index.",
        footerHeading = "%nExamples:%n", footer = {"  docshift data customers --limit 20 --order desc",
        "  docshift data projects --index by_customer --eq '{\"customerId\": \"01m8...\"}'", "  docshift data customers --json > customers.jsonl"})
final class DataCommand extends Action {

    private static final int COLUMNS = 8;

    @Parameters(paramLabel = "TABLE", description = "The table.")
    String table;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "Documents per page, 1 to 1000 (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--order", paramLabel = "asc|desc", defaultValue = "asc", description = "Creation order, or index order (default ${DEFAULT-VALUE}).")
    String order;

    @Option(names = "--index", paramLabel = "NAME", description = "Read through this index of the table.")
    String index;

    @Option(names = "--eq", paramLabel = "JSON", description = "With --index: equalities on a prefix of its fields, a JSON object.")
    String eq;

    @Option(names = "--cursor", paramLabel = "CURSOR", description = "The page after this continueCursor.")
    String cursor;

    @Override
    int run() {
        JsonNode page;
        if (index != null) {
            ObjectNode query = Api.JSON.createObjectNode().put("index", index).put("order", order).put("limit", limit);
            if (eq != null) {
                try {
                    query.set("eq", Api.JSON.readTree(eq));
                } catch (IOException e) {
                    throw new Failures.UsageFailure("--eq is not JSON: " + e.getMessage());
                }
            }
            if (cursor != null) {
                query.put("cursor", cursor);
            }
            page = api().post("/api/tables/" + Api.encode(table) + "/query", query);
        } else {
            if (eq != null) {
                throw new Failures.UsageFailure("--eq needs --index");
            }
            page = api().get("/api/tables/" + Api.encode(table) + "/documents?limit=" + limit + "&order=" + Api.encode(order)
                    + (cursor == null ? "" : "&cursor=" + Api.encode(cursor)));
        }
        if (json()) {
            page.path("page").forEach(this::print);
            return Failures.DONE;
        }
        Set<String> fields = new LinkedHashSet<>(List.of("_id", "_creationTime"));
        page.path("page").forEach(d -> d.fieldNames().forEachRemaining(f -> {
            if (fields.size() < COLUMNS) {
                fields.add(f);
            }
        }));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode d : page.path("page")) {
            List<String> row = new ArrayList<>();
            for (String f : fields) {
                JsonNode v = d.get(f);
                row.add(v == null ? null : Term.cut(v.isTextual() ? v.asText() : v.toString(), 40));
            }
            rows.add(row);
        }
        term().table(new ArrayList<>(fields), rows);
        if (!page.path("isDone").asBoolean(true)) {
            term().line("more: docshift data " + table + (index == null ? "" : " --index " + index) + " --cursor " + page.path("continueCursor").asText());
        }
        return Failures.DONE;
    }
}
