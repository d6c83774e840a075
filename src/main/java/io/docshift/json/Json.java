package io.docshift.json;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The service's one Jackson mapper for its own JSON (stored bodies, problems, events, definitions), configured
 * once: Jackson's defaults. A mapper is thread-safe once configured, so everything shares this one instead of
 * building its own. The REST layer's mapper is Quarkus's; the command line has its own ({@code cli.Api.JSON}).
 */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }
}
