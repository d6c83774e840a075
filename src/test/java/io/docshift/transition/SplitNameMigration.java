package io.docshift.transition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.migration.JavaMigration;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Optional;

/**
 * Test Java migrations for schema transitions: split {@code fullName} into {@code firstName} and
 * {@code lastName}, and append {@code j} to {@code trail}, so a second application would show. A
 * {@code fullName} of {@code POISON} cannot be split. Runs keep backups. Each subclass walks its own table.
 */
abstract class SplitNameMigration implements JavaMigration {

    private final String name;
    private final String table;

    SplitNameMigration(String name, String table) {
        this.name = name;
        this.table = table;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String table() {
        return table;
    }

    @Override
    public boolean backup() {
        return true;
    }

    @Override
    public Optional<ObjectNode> migrate(String id, ObjectNode body, JsonNode args) {
        JsonNode full = body.remove("fullName");
        if (full == null) {
            return Optional.empty();
        }
        String name = full.asText();
        if (name.equals("POISON")) {
            throw new IllegalStateException("cannot split POISON");
        }
        int space = name.indexOf(' ');
        body.put("firstName", space < 0 ? name : name.substring(0, space));
        body.put("lastName", space < 0 ? "" : name.substring(space + 1));
        body.put("trail", body.path("trail").asText("") + "j");
        return Optional.of(body);
    }

    /** The transition test's migration. */
    @ApplicationScoped
    public static class Sweep extends SplitNameMigration {
        static final String TABLE = "java_split_people";

        public Sweep() {
            super("splitNameJava", TABLE);
        }
    }

    /** The rollback test's migration. */
    @ApplicationScoped
    public static class RolledBack extends SplitNameMigration {
        static final String TABLE = "java_split_rollback";

        public RolledBack() {
            super("splitNameJavaRollback", TABLE);
        }
    }
}
