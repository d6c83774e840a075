package io.docshift.migration.step;

import com.fasterxml.jackson.databind.JsonNode;

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

    /** Set {@code field} to the number of documents of {@code table} whose {@code foreignKey} is this document's {@code _id}. */
    record CountRelated(FieldPath field, String table, FieldPath foreignKey) implements Step {
    }
}
