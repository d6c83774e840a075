package io.docshift.document.store;

/** A logical table and the PostgreSQL table that holds its documents. */
public record DocTable(int number, String name) {

    public static final String DATA_SCHEMA = "docshift_data";

    /** The quoted, schema-qualified physical table; built from a number only, never from user text. */
    public String sqlName() {
        return "\"" + DATA_SCHEMA + "\".\"doc_" + number + "\"";
    }
}
