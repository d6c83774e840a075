package io.docshift.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * Records one figure: appends it to {@code target/bench/results.jsonl}, rewrites {@code results.json} (all
 * figures of the run as one JSON array) and {@code results.txt} (the readable table), and prints it as a row.
 * Benchmarks record figures and ratios; they never fail on a duration.
 */
final class BenchReport {

    static final Path DIR = Path.of("target", "bench");
    private static boolean started;

    private BenchReport() {
    }

    static synchronized void record(String group, String name, double value, String unit, String note, boolean meetsTarget) {
        if (!started) {
            started = true;
            try {
                Files.deleteIfExists(DIR.resolve("results.jsonl")); // one command, one set of figures
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        String line = String.format(Locale.ROOT, "{\"group\":\"%s\",\"name\":\"%s\",\"value\":%.3f,\"unit\":\"%s\",\"note\":\"%s\",\"meetsTarget\":%s}",
                group, name, value, unit, note.replace("\"", "'"), meetsTarget);
        System.out.printf(Locale.ROOT, "BENCH | %-12s | %-32s | %12.3f %-8s | %s%s%n", group, name, value, unit, note, meetsTarget ? "" : "  (target missed)");
        try {
            Files.createDirectories(DIR);
            Files.writeString(DIR.resolve("results.jsonl"), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            java.util.List<String> all = Files.readAllLines(DIR.resolve("results.jsonl"));
            Files.writeString(DIR.resolve("results.json"), "{\"date\":\"" + java.time.LocalDate.now() + "\",\"cores\":"
                    + Runtime.getRuntime().availableProcessors() + ",\"results\":[\n" + String.join(",\n", all) + "\n]}\n");
            StringBuilder table = new StringBuilder(String.format(Locale.ROOT, "%-12s | %-36s | %14s %-8s | %s%n", "group", "figure", "value", "unit", "note"));
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            for (String l : all) {
                com.fasterxml.jackson.databind.JsonNode n = json.readTree(l);
                table.append(String.format(Locale.ROOT, "%-12s | %-36s | %14.3f %-8s | %s%s%n", n.get("group").asText(), n.get("name").asText(),
                        n.get("value").asDouble(), n.get("unit").asText(), n.get("note").asText(), n.get("meetsTarget").asBoolean() ? "" : "  (target missed)"));
            }
            Files.writeString(DIR.resolve("results.txt"), table.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
