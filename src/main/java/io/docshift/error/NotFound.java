package io.docshift.error;

/** The addressed resource does not exist: 404. */
public class NotFound extends DocshiftException {

    public NotFound(String detail) {
        super(detail);
    }
}
