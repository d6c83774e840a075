package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code docshift deploy}, as {@code npx convex deploy}: for CI and Kubernetes Jobs, never asking. Registers the
 * migrations directory, plans the schema, refuses (exit 3) a plan that is not applicable, pushes exactly the bytes
 * it planned and follows the transition to its end. A deploy of what is already active does nothing.
 */
@Command(name = "deploy", mixinStandardHelpOptions = true,
        description = "Register migrations, plan, push and follow the schema, without asking: for CI and Kubernetes Jobs.",
        footerHeading = "%nExamples:%n", footer = {"  docshift deploy                                   # docshift/schema.json and docshift/migrations",
        "  docshift deploy --deployment prod --yes --json     # in CI; the key from the variable the deployment names",
        "  docshift deploy --dry-run                          # the plan; exit 3 if it is not applicable",
        "", "Exit codes: 0 deployed (or nothing to deploy), 1 the transition failed, 3 the plan is not applicable or the service refused."})
final class DeployCommand extends Action {

    @Option(names = "--schema", paramLabel = "FILE", defaultValue = "docshift/schema.json", description = "The schema file, JSON or YAML (default ${DEFAULT-VALUE}).")
    Path schema;

    @Option(names = "--migrations", paramLabel = "DIR", defaultValue = "docshift/migrations",
            description = "Declarative migrations, one *.json each, registered before the plan (default ${DEFAULT-VALUE}; skipped if absent).")
    Path migrations;

    @Option(names = "--dry-run", description = "Register the migrations (the plan needs them) and print the plan; push nothing. Exit 0 if it is applicable, else 3.")
    boolean dryRun;

    @Option(names = {"-y", "--yes"}, description = "Go on with a deployment marked production where no terminal is to type its name in.")
    boolean yes;

    @Override
    boolean changes() {
        return true;
    }

    @Override
    boolean yes() {
        return yes;
    }

    @Override
    int run() throws IOException, InterruptedException {
        if (!Files.isRegularFile(schema)) {
            throw new Failures.UsageFailure("no schema file at " + schema + " (--schema FILE)");
        }
        MigrationsDir.register(api(), migrations, this::notice);
        SchemaFile file = SchemaFile.read(schema);
        JsonNode plan = Plans.plan(api(), file);
        if (!json()) {
            Plans.print(term(), plan);
        }
        if (!plan.path("applicable").asBoolean()) {
            return end("refused", plan, null, Failures.REFUSED, term().red("Not deployed: " + refusal(plan)));
        }
        if (!Plans.changes(plan)) {
            return end("unchanged", plan, null, Failures.DONE, "Nothing to deploy: version " + plan.path("fromVersion").asText() + " is active.");
        }
        if (dryRun) {
            return end("planned", plan, null, Failures.DONE, "Dry run: the plan is applicable; nothing pushed.");
        }
        JsonNode pushed = new Pushes(api(), term(), follow(), json()).push(file, true);
        return Pushes.failed(pushed) ? end("failed", plan, pushed, Failures.FAILED, null) : end("deployed", plan, pushed, Failures.DONE, null);
    }

    /** Why a plan is not applicable, in a sentence (the plan printed above it shows the documents). */
    private static String refusal(JsonNode plan) {
        boolean forecast = plan.path("violations").findValues("afterMigrations").stream().anyMatch(a -> !a.isNull());
        return forecast ? "the listed migrations would not bring the existing documents to this schema (see above); fix the migrations or the documents, then deploy again."
                : "existing documents violate this schema (see above), and it lists no migration that fixes them.";
    }

    /** Says how it ended: {@code line} for a person, or with --json the one result document. Returns {@code code}. */
    private int end(String result, JsonNode plan, JsonNode pushed, int code, String line) {
        if (json()) {
            ObjectNode doc = Api.JSON.createObjectNode().put("result", result).put("url", deployment().url());
            doc.put("deployment", deployment().name());
            doc.set("plan", plan);
            if (pushed != null) {
                doc.set("push", pushed);
            }
            print(doc);
        } else if (line != null) {
            term().line(line);
        }
        return code;
    }
}
