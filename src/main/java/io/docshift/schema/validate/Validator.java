package io.docshift.schema.validate;

import com.fasterxml.jackson.databind.JsonNode;
import io.docshift.document.json.JsonPath;

import java.util.Locale;

/**
 * One of Convex's {@code v.*} validators. Validation walks the document once, allocates nothing while it
 * is valid, and reports every violation with its JSON Pointer when it is not.
 */
public sealed interface Validator permits Validators.Simple, Validators.Id, Validators.Literal, Validators.Union,
        Validators.Array, Validators.ObjectShape, Validators.Record {

    /** Whether {@code value} is valid; violations go to {@code sink} unless it is {@code null}. */
    boolean validate(JsonNode value, JsonPath path, Violations sink);

    /** A short human description of what is accepted, e.g. {@code string} or {@code "active" | "completed"}. */
    String describe();

    /** The canonical JSON spec of this validator, as it would be written in a schema document. */
    JsonNode toJson();

    /** A short description of a value for messages: its type and, for scalars, the value itself. */
    static String found(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "nothing";
        }
        return switch (value.getNodeType()) {
            case STRING -> {
                String s = value.textValue();
                yield "string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
            }
            case NUMBER -> "number " + value.asText();
            case BOOLEAN -> "boolean " + value.asText();
            case NULL -> "null";
            case ARRAY -> "array";
            case OBJECT -> "object";
            default -> value.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }
}
