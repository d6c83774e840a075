package io.docshift.migration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.migration.store.Run;
import io.docshift.migration.store.RunState;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

/** A run as the API shows it, with its rate and the time it still needs. */
@org.eclipse.microprofile.openapi.annotations.media.Schema(name = "Run", description = "A migration run with its progress, rate and time left")
public record RunView(long runId, String migration, List<String> series, String state, long processed, long changed, long stamped, long total,
                      Double documentsPerSecond, Long etaSeconds, String owner, Error error, JsonNode args,
                      Long limit, Long transitionId, Long rollbackOf, boolean backup,
                      OffsetDateTime requestedAt, OffsetDateTime startedAt, OffsetDateTime finishedAt) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** Which document stopped the run, and why. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "RunError", description = "The document a run failed on, and why")
    public record Error(@JsonProperty("_id") String id, String message) {
    }

    public static RunView of(Run r) {
        Double rate = null;
        Long eta = null;
        if (r.startedAt() != null && r.processed() > 0) {
            OffsetDateTime end = r.finishedAt() != null ? r.finishedAt() : OffsetDateTime.now();
            double seconds = Math.max(0.001, Duration.between(r.startedAt(), end).toMillis() / 1000.0);
            rate = Math.round(r.processed() / seconds * 10) / 10.0;
            if (r.state() == RunState.RUNNING) {
                eta = (long) Math.ceil(Math.max(0, r.total() - r.processed()) / Math.max(rate, 0.001));
            }
        }
        Error error = r.errorMessage() == null ? null : new Error(r.errorId(), r.errorMessage());
        try {
            return new RunView(r.id(), r.migration(), r.series(), r.state().sql(), r.processed(), r.changed(), r.stamped(), r.total(), rate, eta, r.owner(), error,
                    MAPPER.readTree(r.args()), r.maxDocuments(), r.transitionId(), r.rollbackOf(), r.backup(),
                    r.requestedAt(), r.startedAt(), r.finishedAt());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
