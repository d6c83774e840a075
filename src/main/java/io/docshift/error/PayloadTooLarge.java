package io.docshift.error;

import java.util.List;

/** A document or request body is larger than its limit: 413. */
public class PayloadTooLarge extends DocshiftException {

    public PayloadTooLarge(String path, String message) {
        super(message, List.of(new Violation(path, message)));
    }
}
