package io.docshift.error;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** An RFC 9457 problem document, the body of every error response. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, List<Violation> violations, List<?> tables) {

    public Problem(String type, String title, int status, String detail, List<Violation> violations) {
        this(type, title, status, detail, violations, List.of());
    }

    public static final String MEDIA_TYPE = "application/problem+json";
}
