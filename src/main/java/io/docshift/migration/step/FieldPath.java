package io.docshift.migration.step;

import java.util.List;
import java.util.regex.Pattern;

/** A validated field path: dotted identifiers, so it is safe to put in SQL text. */
public record FieldPath(List<String> segments) {

    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");

    /** Parses {@code a} or {@code a.b.c}; null when the text is not a valid path. */
    public static FieldPath parse(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        List<String> parts = List.of(text.split("\\.", -1));
        if (parts.size() > 16 || !parts.stream().allMatch(p -> SEGMENT.matcher(p).matches())) {
            return null;
        }
        return new FieldPath(parts);
    }

    public boolean topLevel() {
        return segments.size() == 1;
    }

    /** The PostgreSQL text-array literal of this path, e.g. {@code {address,city}}. */
    public String arrayLiteral() {
        return "{" + String.join(",", segments) + "}";
    }

    @Override
    public String toString() {
        return String.join(".", segments);
    }
}
