package io.docshift.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.migration.store.Run;

import java.util.UUID;

/**
 * A run as its worker last committed it: the position and counters every batch starts from and commits
 * anew, fenced on the run row ({@link io.docshift.migration.store.RunRepository#commitBatch}).
 */
final class RunProgress {

    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;

    final long runId;
    final String migration;
    final String checksum;
    final JsonNode args;
    final Long maxDocuments;
    final long total;
    RunKind kind;
    UUID position;
    long processed;
    long changed;
    long stamped;
    int batchSize;

    RunProgress(Run run) {
        this.runId = run.id();
        this.migration = run.migration();
        this.checksum = run.checksum();
        try {
            this.args = MAPPER.readTree(run.args());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored args of run " + run.id() + " are not JSON", e);
        }
        this.maxDocuments = run.maxDocuments();
        this.total = run.total();
        this.position = run.position();
        this.processed = run.processed();
        this.changed = run.changed();
        this.stamped = run.stamped();
        this.batchSize = run.batchSize();
    }

    boolean reachedLimit() {
        return maxDocuments != null && processed >= maxDocuments;
    }
}
