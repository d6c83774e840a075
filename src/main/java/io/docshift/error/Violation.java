package io.docshift.error;

/**
 * One thing wrong with a request: where (a JSON Pointer such as {@code /items/3/price}, or a parameter
 * name such as {@code table}) and what.
 */
public record Violation(String path, String message) {
}
