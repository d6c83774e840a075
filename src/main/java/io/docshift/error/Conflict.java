package io.docshift.error;

/** The request contradicts the current state: 409. */
public class Conflict extends DocshiftException {

    public Conflict(String detail) {
        super(detail);
    }

    /** A conflict that documents cause, named with what is wrong with each. */
    public Conflict(String detail, java.util.List<Violation> violations) {
        super(detail, violations);
    }
}
