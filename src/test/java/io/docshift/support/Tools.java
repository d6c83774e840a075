package io.docshift.support;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

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

    /** A command a suite runs and the Debian package that brings it. */
    public record Tool(String command, String debianPackage) {
    }

    private Tools() {
    }

    /** Skips the calling suite (or fails it under CI=true) unless every tool is installed. */
    public static void require(String suite, Tool... tools) {
        List<String> missing = new ArrayList<>();
        Set<String> packages = new LinkedHashSet<>();
        for (Tool t : tools) {
            if (find(t.command()).isEmpty()) {
                missing.add(t.command());
                packages.add(t.debianPackage());
            }
        }
        if (missing.isEmpty()) {
            return;
        }
        String line = suite + " skipped: " + String.join(", ", missing) + " not found; apt-get install " + String.join(" ", packages);
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            Assertions.fail(line.replace(" skipped:", " cannot run under CI=true:"));
        }
        System.out.println("[docshift tests] " + line);
        Assumptions.abort(line);
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
