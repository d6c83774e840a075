package io.docshift.document;

import io.docshift.document.store.StoredDocument;

import java.util.List;

/** One page of documents, Convex's {@code paginate} result. */
public record Page(List<StoredDocument> documents, String continueCursor, boolean isDone) {

    /** {@code {"page": [...], "continueCursor": "...", "isDone": bool}}, with the bodies spliced in as text. */
    public String toJson() {
        StringBuilder out = new StringBuilder(64 + documents.size() * 128).append("{\"page\":[");
        for (int i = 0; i < documents.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            out.append(documents.get(i).toJson());
        }
        // cursors are base64url: no escaping needed
        return out.append("],\"continueCursor\":\"").append(continueCursor)
                .append("\",\"isDone\":").append(isDone).append('}').toString();
    }
}
