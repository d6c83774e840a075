package io.docshift.schema.validate;

import io.docshift.document.json.JsonPath;
import io.docshift.error.Violation;

import java.util.ArrayList;
import java.util.List;

/** Collects what a document got wrong. A {@code null} sink means "just tell me whether it is valid". */
public final class Violations {

    private final List<Violation> list = new ArrayList<>();
    private final String prefix;

    public Violations() {
        this("");
    }

    /** Paths are prefixed, e.g. with {@code /3} for the fourth document of a batch. */
    public Violations(String prefix) {
        this.prefix = prefix;
    }

    static boolean report(Violations sink, JsonPath path, String message) {
        if (sink != null) {
            String p = path.render();
            sink.list.add(new Violation(sink.prefix.isEmpty() ? p : p.equals("/") ? sink.prefix : sink.prefix + p, message));
        }
        return false;
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public List<Violation> list() {
        return list;
    }
}
