package io.docshift.error;

import java.util.List;
import java.util.Map;

/** The request contradicts the current state: 409. */
public class Conflict extends DocshiftException {

    private final Map<String, Object> extensions;

    public Conflict(String detail) {
        this(detail, List.of(), Map.of());
    }

    /** A conflict that documents cause, named with what is wrong with each. */
    public Conflict(String detail, List<Violation> violations) {
        this(detail, violations, Map.of());
    }

    /** A conflict with members of its own, such as the {@code runId} of the run that holds a migration. */
    public Conflict(String detail, Map<String, Object> extensions) {
        this(detail, List.of(), extensions);
    }

    private Conflict(String detail, List<Violation> violations, Map<String, Object> extensions) {
        super(detail, violations);
        this.extensions = Map.copyOf(extensions);
    }

    @Override
    public Map<String, Object> extensions() {
        return extensions;
    }
}
