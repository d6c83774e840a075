package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;

import java.util.concurrent.Callable;

/** A subcommand: it reaches the service through the root's --url and --key, and prints as --json says. */
abstract class Action implements Callable<Integer> {

    @CommandLine.ParentCommand
    Docshift root;

    private Api api;
    private Term term;

    Api api() {
        if (api == null) {
            api = new Api(root.url, root.key);
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

    @Override
    public Integer call() throws Exception {
        return run();
    }

    /** Does the command; returns its exit code. */
    abstract int run() throws Exception;
}
