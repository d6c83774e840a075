package io.docshift.document.json;

/** Convex's document limits, enforced on every write (docs/reference/limits.md). */
public final class DocumentLimits {

    /** Largest serialized document, in bytes (1 MiB). */
    public static final int MAX_DOCUMENT_BYTES = 1 << 20;
    /** Deepest nesting; the document itself is level 1. */
    public static final int MAX_DEPTH = 16;
    public static final int MAX_FIELDS_PER_OBJECT = 1024;
    public static final int MAX_ARRAY_ELEMENTS = 8192;
    public static final int MAX_FIELD_NAME_LENGTH = 1024;
    public static final int MAX_TOP_LEVEL_FIELD_NAME_LENGTH = 64;
    public static final int MAX_BATCH_DOCUMENTS = 10_000;

    private DocumentLimits() {
    }
}
