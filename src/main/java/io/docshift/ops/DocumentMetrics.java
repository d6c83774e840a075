package io.docshift.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** {@code docshift_documents_written_total{table,operation}}: documents inserted, replaced, patched or deleted. */
@ApplicationScoped
public class DocumentMetrics {

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    @Inject
    MeterRegistry registry;

    public void written(String table, String operation, int documents) {
        counters.computeIfAbsent(table + '\0' + operation, k -> Counter.builder("docshift.documents.written")
                        .description("Documents written through the API")
                        .tag("table", table)
                        .tag("operation", operation)
                        .register(registry))
                .increment(documents);
    }
}
