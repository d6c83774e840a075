package io.docshift.schema;

import io.docshift.schema.validate.Validator;

import java.util.List;

/** What the schema says about one table: the validator of its documents and its indexes. */
public record TableSchema(String name, Validator document, List<IndexSpec> indexes) {
}
