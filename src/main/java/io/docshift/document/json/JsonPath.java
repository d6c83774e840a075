package io.docshift.document.json;

import java.util.ArrayList;
import java.util.List;

/** A JSON Pointer (RFC 6901) being walked; rendered only when something must be reported. */
public final class JsonPath {

    private final List<String> segments = new ArrayList<>();

    public void push(String segment) {
        segments.add(segment);
    }

    public void push(int index) {
        segments.add(Integer.toString(index));
    }

    public void pop() {
        segments.remove(segments.size() - 1);
    }


    public String render() {
        return render(segments);
    }

    public static String render(List<String> segments) {
        if (segments.isEmpty()) {
            return "/";
        }
        StringBuilder out = new StringBuilder();
        for (String s : segments) {
            out.append('/').append(s.replace("~", "~0").replace("/", "~1"));
        }
        return out.toString();
    }

}
