package io.docshift.migration;

import com.fasterxml.jackson.databind.JsonNode;
import io.docshift.migration.step.Step;

import java.time.Duration;
import java.util.List;

/**
 * A registered migration: declarative ({@code steps}) or Java ({@code javaClass}), the table it walks and
 * how it may run. With {@code backup}, each run saves every body it changes, in the same transaction, so
 * it can be rolled back. {@code source} is the definition as JSON; {@code checksum} the SHA-256 of its canonical form.
 */
public record MigrationDefinition(String name, String table, List<Step> steps, String javaClass,
                                  boolean backup, Double maxDocumentsPerSecond, Window window, JsonNode source, String checksum) {

    /** When runs may process batches: from each firing of {@code cron} (Quartz syntax) for {@code duration}. */
    public record Window(String cron, Duration duration) {
    }

    public boolean isJava() {
        return javaClass != null;
    }
}
