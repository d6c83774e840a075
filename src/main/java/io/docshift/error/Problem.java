package io.docshift.error;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * An RFC 9457 problem document, the body of every error response. {@code extensions} are members of their own
 * (such as the {@code runId} a 409 names), for clients that act on them without parsing the detail.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@org.eclipse.microprofile.openapi.annotations.media.Schema(name = "Problem", requiredProperties = {"type", "title", "status", "detail"},
        additionalProperties = org.eclipse.microprofile.openapi.annotations.media.Schema.True.class,
        description = "An RFC 9457 problem: type, title, status, detail; violations name each place at fault (a JSON Pointer, or a parameter);"
                + " tables count the documents at fault; some problems add members of their own (runId, state, currentEtag).")
public record Problem(String type, String title, int status, String detail, List<Violation> violations, List<?> tables,
                      @JsonIgnore Map<String, Object> extensions) {

    public static final String MEDIA_TYPE = "application/problem+json";

    public Problem(String type, String title, int status, String detail, List<Violation> violations) {
        this(type, title, status, detail, violations, List.of(), Map.of());
    }

    @JsonAnyGetter
    Map<String, Object> members() {
        return extensions;
    }
}
