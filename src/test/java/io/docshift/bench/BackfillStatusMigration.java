package io.docshift.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.migration.JavaMigration;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/** The benchmark's backfill written as a Java migration: the Java-interface path of the engine. */
@ApplicationScoped
public class BackfillStatusMigration implements JavaMigration {

    public static final String TABLE = "bench_java_customers";

    @Override
    public String name() {
        return "benchBackfillStatusJava";
    }

    @Override
    public String table() {
        return TABLE;
    }

    @Override
    public Optional<ObjectNode> migrate(String id, ObjectNode body, JsonNode args) {
        if (body.has("status")) {
            return Optional.empty();
        }
        body.put("status", "active");
        return Optional.of(body);
    }
}
