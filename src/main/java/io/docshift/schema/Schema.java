package io.docshift.schema;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * A parsed schema document. {@code hash} is the SHA-256 of its canonical form, so two documents that say
 * the same thing (in any key order, field map or full object validator) have the same hash. {@code migrations}
 * are the way to this version from the one before (a transition), not part of what it says, nor of its hash.
 */
public record Schema(Map<String, TableSchema> tables, boolean validation, List<String> migrations, JsonNode source, String hash) {

    public TableSchema table(String name) {
        return tables.get(name);
    }
}
