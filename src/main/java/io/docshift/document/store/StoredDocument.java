package io.docshift.document.store;

import io.docshift.document.json.DocumentJson;

/** A row of a document table: its id and its body exactly as PostgreSQL prints the {@code jsonb}. */
public record StoredDocument(DocumentId id, String bodyText) {

    /** The document as clients see it, with {@code _id} and {@code _creationTime}. */
    public String toJson() {
        return DocumentJson.render(id.toString(), id.creationTime(), bodyText);
    }
}
