package io.docshift.error;

import java.util.Map;

/** A conditional write whose If-Match no longer matches the document: 412, nothing written. */
public class PreconditionFailed extends DocshiftException {

    private final Map<String, Object> extensions;

    /** {@code currentEtag}: the document's entity tag now, so the client can re-read and retry. */
    public PreconditionFailed(String detail, String currentEtag) {
        super(detail);
        this.extensions = Map.of("currentEtag", currentEtag);
    }

    @Override
    public Map<String, Object> extensions() {
        return extensions;
    }
}
