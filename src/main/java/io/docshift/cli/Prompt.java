package io.docshift.cli;

import java.io.Console;

/** Asks a person, and never anything else: without a terminal a command that would ask needs --yes instead. */
final class Prompt {

    private Prompt() {
    }

    /** Asks {@code question (Y/n)}; Enter means yes. Without a terminal: a usage failure (exit 2) naming --yes. */
    static boolean confirm(Term term, String question, String what) {
        Console console = System.console();
        if (console == null || !term.terminal()) {
            throw new Failures.UsageFailure("not a terminal, so nobody can answer \"" + question + "\": pass --yes to " + what + " without asking");
        }
        term.endProgress();
        String answer = console.readLine("%s (Y/n) ", question);
        return answer == null ? false : answer.isBlank() || answer.trim().toLowerCase(java.util.Locale.ROOT).startsWith("y");
    }
}
