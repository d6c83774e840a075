package io.docshift.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.migration.step.StepJvm;

import java.util.Optional;

/**
 * A declarative migration whose CEL expressions PostgreSQL cannot evaluate, run the way a Java migration is:
 * its steps applied in the JVM ({@link StepJvm}), batch by batch, the documents read ahead on a thread of
 * their own. Same runs, resumability, fencing, backups and upgrade on read and write as any migration.
 */
final class CelStepsMigration implements JavaMigration {

    private final MigrationDefinition def;

    CelStepsMigration(MigrationDefinition def) {
        this.def = def;
    }

    @Override
    public String name() {
        return def.name();
    }

    @Override
    public String table() {
        return def.table();
    }

    @Override
    public boolean backup() {
        return def.backup();
    }

    @Override
    public Optional<ObjectNode> migrate(String id, ObjectNode body, JsonNode args) {
        ObjectNode after = StepJvm.apply(def.steps(), body);
        return after.equals(body) ? Optional.empty() : Optional.of(after);
    }
}
