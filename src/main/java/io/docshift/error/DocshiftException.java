package io.docshift.error;

import java.util.List;
import java.util.Map;

/**
 * Base of every domain failure. The HTTP status of each subclass is decided in one place,
 * {@link ProblemMapper}, never here.
 */
public abstract class DocshiftException extends RuntimeException {

    private final List<Violation> violations;

    protected DocshiftException(String detail) {
        this(detail, List.of());
    }

    protected DocshiftException(String detail, List<Violation> violations) {
        super(detail, null, false, false);
        this.violations = List.copyOf(violations);
    }

    /** What is wrong, for the problem's {@code violations} member; empty when nothing in a document is at fault. */
    public List<Violation> violations() {
        return violations;
    }

    /** Per-table reports for the problem's {@code tables} member (a schema push refused for existing data). */
    public List<?> tables() {
        return List.of();
    }

    /** Members of the problem beside the standard ones, such as the {@code runId} that a conflict names. */
    public Map<String, Object> extensions() {
        return Map.of();
    }
}
