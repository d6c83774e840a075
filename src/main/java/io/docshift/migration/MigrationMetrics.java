package io.docshift.migration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code docshift_migration_documents_processed_total{migration}}, {@code ..._changed_total{migration}},
 * {@code ..._stamped_total{migration}} (a sweep's documents stamped with the new version, body unchanged) and
 * {@code docshift_migration_running{migration}} (1 while this pod works on it) and
 * {@code docshift_migration_batch_retries_total{migration, sqlstate}} (batches retried after a transient failure).
 */
@ApplicationScoped
public class MigrationMetrics {

    private final Map<String, Counter> processed = new ConcurrentHashMap<>();
    private final Map<String, Counter> changed = new ConcurrentHashMap<>();
    private final Map<String, Counter> stamped = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> running = new ConcurrentHashMap<>();

    @Inject
    MeterRegistry registry;

    public void batch(String migration, long processedDocs, long changedDocs, long stampedDocs) {
        if (stampedDocs > 0) {
            stamped.computeIfAbsent(migration, m -> Counter.builder("docshift.migration.documents.stamped")
                    .description("Documents a transition's sweep stamped with its version without changing their body").tag("migration", m)
                    .register(registry)).increment(stampedDocs);
        }
        processed.computeIfAbsent(migration, m -> Counter.builder("docshift.migration.documents.processed")
                .description("Documents a migration has examined").tag("migration", m).register(registry)).increment(processedDocs);
        changed.computeIfAbsent(migration, m -> Counter.builder("docshift.migration.documents.changed")
                .description("Documents a migration has changed").tag("migration", m).register(registry)).increment(changedDocs);
    }

    public void retried(String migration, String sqlState) {
        Counter.builder("docshift.migration.batch.retries").description("Batches retried after a transient failure (serialization, deadlock, resources)")
                .tag("migration", migration).tag("sqlstate", sqlState).register(registry).increment();
    }

    public void running(String migration, boolean on) {
        running.computeIfAbsent(migration, m -> registry.gauge("docshift.migration.running",
                io.micrometer.core.instrument.Tags.of("migration", m), new AtomicInteger())).set(on ? 1 : 0);
    }
}
