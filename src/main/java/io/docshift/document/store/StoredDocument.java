package io.docshift.document.store;

import io.docshift.document.json.DocumentJson;

/**
 * A row of a document table: its id, its body exactly as PostgreSQL prints the {@code jsonb}, the schema version
 * it conforms to, and its revision (taken anew by every write, from one sequence).
 */
public record StoredDocument(DocumentId id, String bodyText, int schemaVersion, long revision) {

    /** The same document with another body (upgraded for reading during a transition). */
    public StoredDocument withBody(String body, int version) {
        return new StoredDocument(id, body, version, revision);
    }

    /** The document as clients see it, with {@code _id} and {@code _creationTime}. */
    public String toJson() {
        return DocumentJson.render(id.toString(), id.creationTime(), bodyText);
    }

    /**
     * A strong entity tag of this representation: the revision it was stored with and the schema version it is
     * shown in (a document upgraded for reading during a transition is another representation of the same row).
     */
    public String etag() {
        return "\"" + revision + "-" + schemaVersion + "\"";
    }
}
