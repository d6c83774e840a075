package io.docshift.schema;

import java.util.List;

/** A declared index: its name and the document fields it orders by, each a top-level name or a dotted path. */
public record IndexSpec(String name, List<String> fields) {
}
