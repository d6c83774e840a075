package io.docshift.error;

import java.util.List;

/** The request is malformed or breaks a documented limit: 400. */
public class InvalidRequest extends DocshiftException {

    public InvalidRequest(String detail) {
        super(detail);
    }

    public InvalidRequest(String detail, List<Violation> violations) {
        super(detail, violations);
    }

    public static InvalidRequest at(String path, String message) {
        return new InvalidRequest(message + " (at " + path + ")", List.of(new Violation(path, message)));
    }
}
