package io.docshift.cli;

import java.io.Console;

/** Asks a person, and never anything else: without a terminal a command that would ask needs --yes instead. */
final class Prompt {

    private Prompt() {
    }

    /** Asks {@code question (Y/n)}; Enter means yes. Without a terminal: a usage failure (exit 2) naming --yes. */
    static boolean confirm(Term term, String question, String what) {
        String answer = line(term, question + " (Y/n)", "not a terminal, so nobody can answer \"" + question + "\": pass --yes to " + what + " without asking");
        return answer == null ? false : answer.isBlank() || answer.trim().toLowerCase(java.util.Locale.ROOT).startsWith("y");
    }

    /** Whether a terminal is there to ask in: standard input and output both. */
    static boolean possible(Term term) {
        return System.console() != null && term.terminal();
    }

    /** Reads the line typed after {@code question}; null at the end of input. Without a terminal: a usage failure saying {@code otherwise}. */
    static String line(Term term, String question, String otherwise) {
        Console console = System.console();
        if (!possible(term)) {
            throw new Failures.UsageFailure(otherwise);
        }
        term.endProgress();
        return console.readLine("%s ", question);
    }
}
