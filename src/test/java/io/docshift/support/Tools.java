package io.docshift.support;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The system tools some suites need beyond Java (a browser, Patroni, PgBouncer, kubectl...). A suite whose tools are
 * there runs; one whose tools are missing is skipped with one line naming the packages to install, except under
 * {@code CI=true}, where a missing tool fails the build: CI runs everything.
 */
public final class Tools {

    /**
     * A command a suite runs and the Debian package that brings it; or, for what Debian does not package
     * ({@code debianPackage} null), {@code install}: how to get it.
     */
    public record Tool(String command, String debianPackage, String install) {

        public Tool(String command, String debianPackage) {
            this(command, debianPackage, null);
        }
    }

    private Tools() {
    }

    /**
     * Skips the calling suite (or fails it under CI=true) unless every tool is installed. Call it first in the
     * suite's {@code @BeforeAll}; prefer {@link #check} for a whole class, which counts each test as skipped.
     */
    public static void require(String suite, Tool... tools) {
        String line = missing(suite, tools);
        if (line != null) {
            System.out.println("[docshift tests] " + line);
            Assumptions.abort(line);
        }
    }

    /** A class extension ({@code @RegisterExtension static}) that disables the class's tests unless the tools are installed. */
    public static ExecutionCondition check(String suite, Tool... tools) {
        return context -> {
            String line = missing(suite, tools);
            if (line == null) {
                return ConditionEvaluationResult.enabled("the tools are installed");
            }
            if (context.getTestMethod().isEmpty()) {
                System.out.println("[docshift tests] " + line);
            }
            return ConditionEvaluationResult.disabled(line);
        };
    }

    /** The line saying what is missing, or null; under CI=true a missing tool is an error instead. */
    private static String missing(String suite, Tool... tools) {
        List<String> missing = new ArrayList<>();
        Set<String> packages = new LinkedHashSet<>();
        Set<String> installs = new LinkedHashSet<>();
        for (Tool t : tools) {
            if (find(t.command()).isEmpty()) {
                missing.add(t.command().contains("/") ? Path.of(t.command()).getFileName().toString() : t.command());
                if (t.debianPackage() != null) {
                    packages.add(t.debianPackage());
                }
                if (t.install() != null) {
                    installs.add(t.install());
                }
            }
        }
        if (missing.isEmpty()) {
            return null;
        }
        List<String> how = new ArrayList<>();
        if (!packages.isEmpty()) {
            how.add("apt-get install " + String.join(" ", packages));
        }
        how.addAll(installs);
        String line = suite + " skipped: " + String.join(", ", missing) + " not found; " + String.join("; ", how);
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(line.replace(" skipped:", " cannot run under CI=true:"));
        }
        return line;
    }

    /** The executable: an absolute path as it is, a name looked up on the PATH (and in /usr/sbin, where pgbouncer is). */
    public static Optional<Path> find(String command) {
        if (command.contains("/")) {
            return Files.isExecutable(Path.of(command)) ? Optional.of(Path.of(command)) : Optional.empty();
        }
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":")));
        dirs.add("/usr/sbin");
        for (String dir : dirs) {
            Path p = Path.of(dir.isEmpty() ? "." : dir, command);
            if (Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }
}
