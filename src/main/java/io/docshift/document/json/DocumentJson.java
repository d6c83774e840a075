package io.docshift.document.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.error.PayloadTooLarge;

import java.nio.charset.StandardCharsets;

/** Turns bodies into stored text and stored rows back into the documents clients see. */
public final class DocumentJson {

    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;

    private DocumentJson() {
    }

    /** The body as compact JSON text for a {@code jsonb} parameter, refusing one over 1 MiB. */
    public static String toStoredText(ObjectNode body) {
        try {
            String text = MAPPER.writeValueAsString(body);
            if (text.length() > DocumentLimits.MAX_DOCUMENT_BYTES / 4
                    && text.getBytes(StandardCharsets.UTF_8).length > DocumentLimits.MAX_DOCUMENT_BYTES) {
                throw new PayloadTooLarge("/", "the resulting document is larger than 1 MiB");
            }
            return text;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed document could not be serialized", e);
        }
    }

    /** Parses text that came out of PostgreSQL (trusted, already validated when written). */
    public static ObjectNode fromStoredText(String text) {
        try {
            return (ObjectNode) MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored document is not JSON", e);
        }
    }

    /**
     * The document a client sees: the system fields first, then the body as PostgreSQL printed it,
     * spliced as text so that reads never re-parse the body.
     */
    public static String render(String id, long creationTime, String bodyText) {
        StringBuilder out = new StringBuilder(bodyText.length() + 64)
                .append("{\"_id\":\"").append(id).append("\",\"_creationTime\":").append(creationTime);
        int open = bodyText.indexOf('{');
        String rest = bodyText.substring(open + 1).stripLeading();
        if (!rest.startsWith("}")) {
            out.append(',');
        }
        return out.append(rest).toString();
    }
}
