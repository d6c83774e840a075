package io.docshift.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;

import java.io.PrintWriter;

/** Turns what went wrong into the documented exit codes, printing the service's problem when it refused. */
final class Failures implements CommandLine.IExecutionExceptionHandler {

    static final int DONE = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int REFUSED = 3;
    static final int UNREACHABLE = 4;
    /** Violations printed of a refusal; an import can list a thousand. */
    private static final int SHOWN = 10;

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        PrintWriter err = cli.getErr();
        boolean json = cli.getCommand() instanceof Action a && a.root != null && a.root.json;
        if (e instanceof Api.Refused r) {
            if (json) {
                cli.getOut().println(r.problem.toString());
                cli.getOut().flush();
            }
            err.println("docshift: refused (" + r.status + "): " + r.getMessage());
            JsonNode violations = r.problem.path("violations");
            for (int i = 0; i < Math.min(SHOWN, violations.size()); i++) {
                err.println("  " + violations.get(i).path("path").asText() + ": " + violations.get(i).path("message").asText());
            }
            if (violations.size() > SHOWN) {
                err.println("  … and " + Term.number(violations.size() - SHOWN) + " more listed by the service (--json prints them all)");
            }
            err.flush();
            return REFUSED;
        }
        if (e instanceof Api.Unreachable u) {
            err.println("docshift: " + u.getMessage());
            err.flush();
            return UNREACHABLE;
        }
        if (e instanceof UsageFailure u) {
            err.println("docshift: " + u.getMessage());
            err.flush();
            return USAGE;
        }
        err.println("docshift: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        err.flush();
        return FAILED;
    }

    /** A command cannot do what was asked the way it was asked (a non-terminal without --yes, say): exit 2. */
    static final class UsageFailure extends RuntimeException {
        UsageFailure(String message) {
            super(message, null, false, false);
        }
    }
}
