package io.docshift.error;

/** The request contradicts the current state: 409. */
public class Conflict extends DocshiftException {

    public Conflict(String detail) {
        super(detail);
    }
}
