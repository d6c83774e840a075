package io.docshift.document.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Map;

/** JSON Merge Patch, RFC 7396: objects merge recursively, {@code null} removes, anything else replaces. */
public final class MergePatch {

    private MergePatch() {
    }

    /** Applies {@code patch} to a copy of {@code target}; neither argument is changed. */
    public static ObjectNode apply(ObjectNode target, ObjectNode patch) {
        ObjectNode result = target.deepCopy();
        merge(result, patch);
        return result;
    }

    private static void merge(ObjectNode target, ObjectNode patch) {
        for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode value = e.getValue();
            if (value.isNull()) {
                target.remove(e.getKey());
            } else if (value.isObject()) {
                JsonNode existing = target.get(e.getKey());
                ObjectNode base = existing != null && existing.isObject() ? (ObjectNode) existing : target.objectNode();
                merge(base, (ObjectNode) value);
                target.set(e.getKey(), base);
            } else {
                target.set(e.getKey(), value);
            }
        }
    }
}
