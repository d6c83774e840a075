package io.docshift.schema;

import java.util.List;

/**
 * What pushing a schema would do: the changes against the active version and, per table whose existing
 * documents would violate it, the count and examples. {@code applicable} is false when any does.
 */
public record Plan(Integer fromVersion, String hash, List<SchemaChange> changes, List<TableReport> violations, boolean applicable) {
}
