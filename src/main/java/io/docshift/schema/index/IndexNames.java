package io.docshift.schema.index;

import io.docshift.schema.IndexSpec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** SQL for declared indexes: physical names and the expressions that both the index and queries use. */
public final class IndexNames {

    private IndexNames() {
    }

    /** {@code ix_<table number>_<hash of name and fields>}: short, and new whenever the definition changes. */
    public static String physical(int tableNumber, IndexSpec spec) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((spec.name() + "\0" + String.join("\0", spec.fields())).getBytes(StandardCharsets.UTF_8));
            return "ix_" + tableNumber + "_" + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The indexed expression of a field: its jsonb value, a missing field counting as JSON null (so the
     * expression is never SQL NULL and keyset comparisons stay total). Field paths were validated as dotted
     * identifiers, so they are safe inside the literal.
     */
    public static String expression(String field) {
        String access = field.contains(".")
                ? "data #> '{" + field.replace('.', ',') + "}'"
                : "data -> '" + field + "'";
        return "coalesce(" + access + ", 'null'::jsonb)";
    }

    public static String createSql(String physical, String tableSql, List<String> fields) {
        StringBuilder cols = new StringBuilder();
        for (String f : fields) {
            cols.append('(').append(expression(f)).append("), ");
        }
        return "create index concurrently if not exists \"" + physical + "\" on " + tableSql + " (" + cols + "id)";
    }
}
