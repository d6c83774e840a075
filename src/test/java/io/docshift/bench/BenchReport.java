package io.docshift.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Appends one figure to {@code target/bench/results.jsonl} and prints it as a table row. Benchmarks record
 * figures and ratios; they never fail on a duration.
 */
final class BenchReport {

    static final Path DIR = Path.of("target", "bench");

    private BenchReport() {
    }

    static void record(String group, String name, double value, String unit, String note, boolean meetsTarget) {
        String line = String.format(Locale.ROOT, "{\"group\":\"%s\",\"name\":\"%s\",\"value\":%.3f,\"unit\":\"%s\",\"note\":\"%s\",\"meetsTarget\":%s}",
                group, name, value, unit, note.replace("\"", "'"), meetsTarget);
        System.out.printf(Locale.ROOT, "BENCH | %-12s | %-32s | %12.3f %-8s | %s%s%n", group, name, value, unit, note, meetsTarget ? "" : "  (target missed)");
        try {
            Files.createDirectories(DIR);
            Files.writeString(DIR.resolve("results.jsonl"), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
