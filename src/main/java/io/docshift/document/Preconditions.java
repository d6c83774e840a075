package io.docshift.document;

import io.docshift.error.InvalidRequest;

import java.util.HashSet;
import java.util.Set;

/**
 * An {@code If-Match} or {@code If-None-Match} header (RFC 9110): {@code *}, or a list of entity tags. Docshift's
 * tags are {@code "<revision>-<version>"}; a write compares revisions (what is stored), a read the whole tag (what
 * it shows). Weak tags never match a write.
 */
public record Preconditions(boolean any, Set<String> tags) {

    /** The header's tags, or null when there is no header. */
    public static Preconditions parse(String header, String name) {
        if (header == null) {
            return null;
        }
        String h = header.trim();
        if (h.equals("*")) {
            return new Preconditions(true, Set.of());
        }
        Set<String> tags = new HashSet<>();
        for (String part : h.split(",")) {
            String t = part.trim();
            if (t.isEmpty()) {
                continue;
            }
            if (!(t.startsWith("\"") || t.startsWith("W/\"")) || !t.endsWith("\"") || t.length() < 2) {
                throw InvalidRequest.at(name, "entity tags in double quotes, or *");
            }
            tags.add(t);
        }
        if (tags.isEmpty()) {
            throw InvalidRequest.at(name, "entity tags in double quotes, or *");
        }
        return new Preconditions(false, tags);
    }

    /** For a write: whether a document stored with {@code revision} matches (strong comparison of the revision). */
    public boolean matchesRevision(long revision) {
        if (any) {
            return true;
        }
        for (String t : tags) {
            if (t.startsWith("\"")) {
                int dash = t.indexOf('-');
                String rev = t.substring(1, dash < 0 ? t.length() - 1 : dash);
                if (rev.equals(Long.toString(revision))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** For a read: whether {@code etag} is among the tags (weak comparison, as If-None-Match uses). */
    public boolean matchesTag(String etag) {
        return any || tags.contains(etag) || tags.contains("W/" + etag);
    }
}
