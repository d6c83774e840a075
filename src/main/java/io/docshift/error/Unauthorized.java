package io.docshift.error;

/** No valid credentials: 401, with {@code WWW-Authenticate: Bearer}. */
public class Unauthorized extends DocshiftException {

    public Unauthorized(String detail) {
        super(detail);
    }
}
