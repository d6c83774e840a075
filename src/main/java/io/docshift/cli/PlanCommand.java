package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/** {@code docshift plan FILE}: what a push would change, and the documents that would violate it. Writes nothing. */
@Command(name = "plan", mixinStandardHelpOptions = true, description = "Show what pushing a schema file (JSON or YAML) would change; writes nothing.",
        footerHeading = "%nExamples:%n", footer = {"  docshift plan schema.json", "  docshift plan schema.yaml --json"})
final class PlanCommand extends Action {

    @Parameters(paramLabel = "FILE", description = "The schema, JSON or YAML (.yaml, .yml).")
    Path file;

    @Override
    int run() {
        JsonNode plan = Plans.plan(api(), SchemaFile.read(file));
        if (json()) {
            print(plan);
        } else {
            Plans.print(term(), plan);
        }
        return Failures.DONE;
    }
}
