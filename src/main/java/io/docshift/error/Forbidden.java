package io.docshift.error;

/** Valid credentials without the scope this request needs: 403. */
public class Forbidden extends DocshiftException {

    public Forbidden(String detail) {
        super(detail);
    }
}
