package io.docshift.query;

import io.docshift.document.store.DocTable;
import io.docshift.document.store.DocumentId;
import io.docshift.schema.index.IndexNames;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds the SQL of an index query so that PostgreSQL answers it from the index: equality on the index's
 * leading expressions, one range on the next, keyset continuation as a row comparison over the remaining
 * expressions and the id, and the index's own order. Every value is a bound parameter; every expression is
 * built from validated field paths by {@link IndexNames#expression}.
 */
public final class IndexQuerySql {

    /**
     * SQL with its parameters (Strings bind as jsonb text, UUIDs and Integers as themselves); each row has the
     * id, the body, then {@code keys} index values that a continuation cursor needs.
     */
    public record Built(String sql, List<Object> params, int keys) {
    }

    /** What to query: equality values for the first {@code eq.size()} fields, then an optional range. */
    public record Spec(DocTable table, List<String> fields, List<String> eqValues, String rangeType,
                       String lower, boolean lowerInclusive, String upper, boolean upperInclusive,
                       java.util.UUID idLower, java.util.UUID idUpper,
                       List<String> afterKeys, java.util.UUID afterId, boolean ascending, int limit) {
    }

    private IndexQuerySql() {
    }

    public static Built build(Spec s) {
        List<Object> params = new ArrayList<>();
        List<String> where = new ArrayList<>();
        int k = s.eqValues().size();
        for (int i = 0; i < k; i++) {
            where.add(IndexNames.expression(s.fields().get(i)) + " = ?::jsonb");
            params.add(s.eqValues().get(i));
        }
        if (s.rangeType() != null) {
            String e = IndexNames.expression(s.fields().get(k));
            if (s.lower() != null) {
                where.add(e + (s.lowerInclusive() ? " >= " : " > ") + "?::jsonb");
                params.add(s.lower());
            }
            if (s.upper() != null) {
                where.add(e + (s.upperInclusive() ? " <= " : " < ") + "?::jsonb");
                params.add(s.upper());
            }
            // jsonb orders types before values: keep a one-sided range within the bound's type
            where.add("jsonb_typeof(" + e + ") = '" + s.rangeType() + "'");
        }
        if (s.idLower() != null) {
            where.add("id >= ?");
            params.add(s.idLower());
        }
        if (s.idUpper() != null) {
            where.add("id < ?");
            params.add(s.idUpper());
        }
        List<String> rest = new ArrayList<>();
        for (int i = k; i < s.fields().size(); i++) {
            rest.add(IndexNames.expression(s.fields().get(i)));
        }
        String dir = s.ascending() ? "asc" : "desc";
        if (s.afterId() != null) {
            StringBuilder left = new StringBuilder("(");
            StringBuilder right = new StringBuilder("(");
            for (int i = 0; i < rest.size(); i++) {
                left.append(rest.get(i)).append(", ");
                right.append("?::jsonb, ");
                params.add(s.afterKeys().get(i));
            }
            left.append("id)");
            right.append("?)");
            params.add(s.afterId());
            where.add(left + (s.ascending() ? " > " : " < ") + right);
        }
        StringBuilder sql = new StringBuilder("select id, data::text");
        for (String e : rest) {
            sql.append(", (").append(e).append(")::text");
        }
        sql.append(", schema_version, revision from ").append(s.table().sqlName());
        if (!where.isEmpty()) {
            sql.append(" where ").append(String.join(" and ", where));
        }
        sql.append(" order by ");
        for (String e : rest) {
            sql.append(e).append(' ').append(dir).append(", ");
        }
        sql.append("id ").append(dir).append(" limit ?");
        params.add(s.limit());
        return new Built(sql.toString(), params, rest.size());
    }

    /** The first id a document created at {@code millis} can have in {@code table}: creation-time ranges become id ranges. */
    public static java.util.UUID firstIdAt(DocTable table, long millis) {
        return DocumentId.of(millis, table.number(), 0).toUuid();
    }
}
