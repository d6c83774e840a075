package io.docshift.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;

/** {@code docshift push FILE}: plans, asks, and pushes a schema; a transition it opens can be followed. */
@Command(name = "push", mixinStandardHelpOptions = true, description = "Push a schema file: show the plan, ask, push.",
        footerHeading = "%nExamples:%n", footer = {"  docshift push schema.json            # asks: Push changes to http://localhost:8080? (Y/n)",
        "  docshift push schema.yaml --yes --watch", "  DOCSHIFT_URL=https://docshift.internal docshift push schema.json --yes --json"})
final class PushCommand extends Action {

    @Parameters(paramLabel = "FILE", description = "The schema, JSON or YAML (.yaml, .yml).")
    Path file;

    @Option(names = {"-y", "--yes"}, description = "Push without asking (needed when not run in a terminal, unless there is nothing to push).")
    boolean yes;

    @Option(names = "--watch", description = "Follow the transition the push opens until it is active or failed.")
    boolean watch;

    @Override
    boolean changes() {
        return true;
    }

    @Override
    boolean yes() {
        return yes;
    }

    @Override
    int run() throws InterruptedException {
        return new Pushes(api(), term(), follow(), json()).planAskPush(file, yes, watch);
    }
}
