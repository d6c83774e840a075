package io.docshift.document.rest;

import io.docshift.error.InvalidRequest;

/** Parsing of query parameters, so that a bad one is a 400 naming it rather than a framework 404. */
final class QueryParams {

    private QueryParams() {
    }

    static int intBetween(String value, String name, int min, int max, int defaultValue) {
        if (value == null || value.isEmpty()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw InvalidRequest.at(name, "must be an integer from " + min + " to " + max);
    }

    static boolean ascending(String order) {
        if (order == null || order.isEmpty() || order.equals("asc")) {
            return true;
        }
        if (order.equals("desc")) {
            return false;
        }
        throw InvalidRequest.at("order", "must be asc or desc");
    }
}
