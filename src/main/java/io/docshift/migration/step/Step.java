package io.docshift.migration.step;

import com.fasterxml.jackson.databind.JsonNode;
import io.docshift.migration.cel.CelExpression;

import java.util.List;

/** One declarative migration step: one of the seed's patterns. Field paths are top-level names or dotted paths. */
public sealed interface Step {

    /** Add {@code field} with {@code value} where it is missing (the seed's backfill). */
    record SetDefault(FieldPath field, JsonNode value) implements Step {
    }

    /** Set {@code field} to a constant, or to a copy of {@code from} where that exists. */
    record Set(FieldPath field, JsonNode value, FieldPath from) implements Step {
    }

    /** Move {@code from} to {@code to} where {@code from} exists. */
    record Rename(FieldPath from, FieldPath to) implements Step {
    }

    /** Remove {@code field} (the seed's cleanup of a removed field). */
    record Unset(FieldPath field) implements Step {
    }

    /** Split a string field on {@code separator} into {@code into}; the last target takes the rest, joined. */
    record Split(FieldPath field, String separator, List<FieldPath> into) implements Step {
    }

    /** Convert a field to number, string or boolean; a value that cannot convert fails the run, naming the document. */
    record Convert(FieldPath field, Target to) implements Step {

        /** Conversion targets. */
        public enum Target { NUMBER, STRING, BOOLEAN }
    }

    /**
     * Join the string fields {@code from} with {@code separator} into {@code into}, leaving out empty parts: the
     * inverse of a split, used by rollbacks only (not a step one can declare).
     */
    record Join(List<FieldPath> from, String separator, FieldPath into) implements Step {
    }

    /**
     * Set {@code field} to the value of a CEL expression over the document as the previous steps left it
     * ({@code "op": "set", "expr": ...}); an expression without a value for a document fails the run, naming it.
     */
    record Compute(FieldPath field, CelExpression expr) implements Step {
    }

    /**
     * The steps of a migration limited by {@code "where"}: they apply to the documents for which the CEL
     * condition is true, as the previous steps left them; the others are left as they are.
     */
    record Guard(CelExpression condition, List<Step> steps) implements Step {
    }

    /** Set {@code field} to the number of documents of {@code table} whose {@code foreignKey} is this document's {@code _id}. */
    record CountRelated(FieldPath field, String table, FieldPath foreignKey) implements Step {
    }

    /**
     * The steps that undo {@code steps} as far as they can be undone without a backup: a rename is renamed
     * back, a split joined back, a copied or counted field removed. A default, a constant, a computed value, a
     * conversion or a removal cannot be undone and is left as it is; the steps of a {@code where} are undone
     * wherever they left their mark. Whether the result fits the older schema is for the caller to check.
     */
    public static List<Step> inverse(List<Step> steps) {
        List<Step> out = new java.util.ArrayList<>();
        for (int i = steps.size() - 1; i >= 0; i--) {
            Step s = steps.get(i);
            if (s instanceof Guard g) {
                out.addAll(inverse(g.steps()));
            } else if (s instanceof Rename r) {
                out.add(new Rename(r.to(), r.from()));
            } else if (s instanceof Split sp) {
                out.add(new Join(sp.into(), sp.separator(), sp.field()));
                sp.into().forEach(f -> out.add(new Unset(f)));
            } else if (s instanceof Set set && set.from() != null) {
                out.add(new Unset(set.field()));
            } else if (s instanceof CountRelated c) {
                out.add(new Unset(c.field()));
            }
        }
        return out;
    }

    /** Every step, those inside a {@code where} included, in order. */
    public static List<Step> flatten(List<Step> steps) {
        List<Step> out = new java.util.ArrayList<>();
        for (Step s : steps) {
            out.add(s);
            if (s instanceof Guard g) {
                out.addAll(flatten(g.steps()));
            }
        }
        return out;
    }

    /** Every CEL expression of the steps, conditions included. */
    static List<CelExpression> expressions(List<Step> steps) {
        List<CelExpression> out = new java.util.ArrayList<>();
        for (Step s : flatten(steps)) {
            if (s instanceof Guard g) {
                out.add(g.condition());
            } else if (s instanceof Compute c) {
                out.add(c.expr());
            }
        }
        return out;
    }
}
