package io.docshift.migration;

/** A migration failed on one document: the run stops and names it (F15). */
final class DocumentFailure extends RuntimeException {

    final String id;

    DocumentFailure(String id, String message) {
        super(message, null, false, false);
        this.id = id;
    }
}
