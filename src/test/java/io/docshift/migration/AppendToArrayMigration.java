package io.docshift.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * A non-idempotent Java migration: every application appends the run's {@code mark} to the document's
 * {@code visits} array, so a document migrated twice shows two entries.
 */
@ApplicationScoped
public class AppendToArrayMigration implements JavaMigration {

    public static final String TABLE = "java_exactly_once";

    @Override
    public String name() {
        return "appendToArray";
    }

    @Override
    public String table() {
        return TABLE;
    }

    @Override
    public Optional<ObjectNode> migrate(String id, ObjectNode body, JsonNode args) {
        ArrayNode visits = body.has("visits") && body.get("visits").isArray() ? (ArrayNode) body.get("visits") : body.putArray("visits");
        visits.add(args.path("mark").asText("x"));
        return Optional.of(body);
    }
}
