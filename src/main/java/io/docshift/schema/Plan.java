package io.docshift.schema;

import java.util.List;

/**
 * What pushing a schema would do: the changes against the active version and, per table whose existing
 * documents would violate it, the count and examples and what the listed migrations would leave
 * ({@code afterMigrations}); the sweeps its migrations would run (and whether in PostgreSQL or in the JVM), and
 * the listed migrations already applied, which it would not run again. {@code applicable} is false when documents
 * would violate it after its migrations, or a migration would fail on one.
 */
public record Plan(Integer fromVersion, String hash, List<SchemaChange> changes, List<TableReport> violations,
                   List<TransitionPort.Sweep> migrations, List<String> alreadyApplied, boolean applicable) {
}
