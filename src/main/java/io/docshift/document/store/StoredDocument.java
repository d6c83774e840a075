package io.docshift.document.store;

import io.docshift.document.json.DocumentJson;

/**
 * A row of a document table: its id, its body exactly as PostgreSQL prints the {@code jsonb}, and the schema
 * version it was written or last migrated under.
 */
public record StoredDocument(DocumentId id, String bodyText, int schemaVersion) {

    /** The same document with another body (upgraded for reading during a transition). */
    public StoredDocument withBody(String body, int version) {
        return new StoredDocument(id, body, version);
    }

    /** The document as clients see it, with {@code _id} and {@code _creationTime}. */
    public String toJson() {
        return DocumentJson.render(id.toString(), id.creationTime(), bodyText);
    }
}
