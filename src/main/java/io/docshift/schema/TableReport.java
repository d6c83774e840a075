package io.docshift.schema;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;

/** How many documents of a table violate a schema, with the first few as examples. */
@org.eclipse.microprofile.openapi.annotations.media.Schema(name = "TableReport", description = "How many documents of a table violate a schema, with examples")
public record TableReport(String table, long violating, List<Example> examples) {

    /** One violation of one document. */
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "ViolationExample")
    public record Example(@JsonProperty("_id") String id, String path, String message) {
    }
}
