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
