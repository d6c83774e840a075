package io.docshift.migration;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.migration.store.Run;
import io.docshift.migration.store.RunState;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A run as the API shows it, with its working time, rate and the time it still needs. Its {@code state} is the
 * stored one, except that a completed run that a completed rollback took back reads {@code rolledBack}.
 */
@org.eclipse.microprofile.openapi.annotations.media.Schema(name = "Run", description = "A migration run with its progress, rate and time left")
public record RunView(long runId, String migration, List<String> series,
                      @org.eclipse.microprofile.openapi.annotations.media.Schema(enumeration = {"pending", "running", "completed", "failed", "cancelled", "rolledBack"})
                      String state, long processed, long changed, long stamped, long total,
                      Double documentsPerSecond, Long etaSeconds,
                      @org.eclipse.microprofile.openapi.annotations.media.Schema(description = "Time workers held the run, summed over every resume: not the time it spent pending, failed or cancelled")
                      long workedMs, String owner, Error error, JsonNode args,
                      @org.eclipse.microprofile.openapi.annotations.media.Schema(description = "The run stops after this many documents (a partial run); absent: the whole table")
                      Long limit, Long transitionId, Long rollbackOf,
                      @org.eclipse.microprofile.openapi.annotations.media.Schema(description = "The completed rollback run that took this run back")
                      Long rolledBackBy, boolean backup,
                      OffsetDateTime requestedAt, OffsetDateTime startedAt, OffsetDateTime finishedAt) {

    /** The display state of a run a completed rollback took back; never stored ({@link RunState} has no such state). */
    public static final String ROLLED_BACK = "rolledBack";
    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;

    /** Which document stopped the run, and why. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "RunError", description = "The document a run failed on, and why")
    public record Error(@JsonProperty("_id") String id, String message) {
    }

    /** {@code rolledBackBy}: the completed rollback of this run, if there is one. */
    public static RunView of(Run r, Long rolledBackBy) {
        long worked = worked(r);
        Double rate = null;
        Long eta = null;
        if (worked > 0 && r.processed() > 0) {
            rate = Math.round(r.processed() / (worked / 1000.0) * 10) / 10.0;
            if (r.state() == RunState.RUNNING) {
                eta = (long) Math.ceil(Math.max(0, r.total() - r.processed()) / Math.max(rate, 0.001));
            }
        }
        Error error = r.errorMessage() == null ? null : new Error(r.errorId(), r.errorMessage());
        String state = rolledBackBy != null && r.state() == RunState.COMPLETED ? ROLLED_BACK : r.state().sql();
        try {
            return new RunView(r.id(), r.migration(), r.series(), state, r.processed(), r.changed(), r.stamped(), r.total(), rate, eta, worked,
                    r.owner(), error, MAPPER.readTree(r.args()), r.maxDocuments(), r.transitionId(), r.rollbackOf(),
                    rolledBackBy, r.backup(), r.requestedAt(), r.startedAt(), r.finishedAt());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The stored working time, and for a running run the time since its worker's last write too. */
    private static long worked(Run r) {
        if (r.state() != RunState.RUNNING || r.heartbeatAt() == null) {
            return r.workedMs();
        }
        return r.workedMs() + Math.max(0, Duration.between(r.heartbeatAt(), OffsetDateTime.now()).toMillis());
    }
}
