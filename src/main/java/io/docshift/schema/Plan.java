package io.docshift.schema;

import java.util.List;

/**
 * What pushing a schema would do: the changes against the active version and, per table whose existing
 * documents would violate it, the count and examples; the sweeps its migrations would run (and whether in
 * PostgreSQL or in the JVM). {@code applicable} is false when documents violate it.
 */
public record Plan(Integer fromVersion, String hash, List<SchemaChange> changes, List<TableReport> violations,
                   List<TransitionPort.Sweep> migrations, boolean applicable) {
}
