package io.docshift.schema;

import com.fasterxml.jackson.annotation.JsonInclude;

/** One difference between the active schema and a proposed one, and whether existing data can break on it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SchemaChange(String kind, String change, String table, String field, String index, String safety, String detail) {

    public static final String SAFE = "safe";
    public static final String BREAKING = "breaking";

    public boolean breaking() {
        return BREAKING.equals(safety);
    }
}
