package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * A subcommand: it reaches the service the root's --deployment, --url and --key name, and prints as --json says.
 * One that changes something names its target first, and asks as a production deployment needs.
 */
abstract class Action implements Callable<Integer> {

    @CommandLine.ParentCommand
    Docshift root;

    private Deployment deployment;
    private Api api;
    private Term term;

    Deployment deployment() {
        if (deployment == null) {
            deployment = Deployment.resolve(root.deployment, root.url, root.key, System.getenv(), () -> Deployments.find(Path.of("")));
        }
        return deployment;
    }

    Api api() {
        if (api == null) {
            api = new Api(deployment().url(), deployment().key(), deployment().keyVariable());
        }
        return api;
    }

    Term term() {
        if (term == null) {
            term = Term.system(root.noColor);
        }
        return term;
    }

    boolean json() {
        return root.json;
    }

    /** A line for a person about how things went: on standard error with --json, which keeps standard output for documents. */
    void notice(String line) {
        if (json()) {
            System.err.println(line);
        } else {
            term().line(line);
        }
    }

    /** Waits out a restart of the service, with a notice. */
    Restarts restarts() {
        return new Restarts(this::notice);
    }

    /** Follows runs and transitions, quietly with --json. */
    Follow follow() {
        return new Follow(api(), term(), restarts(), json());
    }

    /** Prints a JSON document on one line (for --json). */
    void print(JsonNode node) {
        System.out.println(node.toString());
    }

    /** Whether this invocation changes something on the service (not a read, not a dry run). */
    boolean changes() {
        return false;
    }

    /** Whether --yes was given, where the command has it: outside a terminal, it is what lets a production deployment be changed. */
    boolean yes() {
        return false;
    }

    @Override
    public Integer call() throws Exception {
        if (changes()) {
            notice("Target: " + deployment().describe());
            if (!ProductionGuard.confirmed(term(), deployment(), yes())) {
                return Failures.FAILED;
            }
        }
        return run();
    }

    /** Does the command; returns its exit code. */
    abstract int run() throws Exception;
}
