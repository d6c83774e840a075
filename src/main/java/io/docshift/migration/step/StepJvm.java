package io.docshift.migration.step;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.migration.cel.CelExpression;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The steps applied in the JVM, for a migration with a CEL expression that PostgreSQL cannot evaluate: each
 * step gives exactly what {@link StepSql} gives in the database (tested side by side), including on missing
 * fields, nulls, wrong types and nested paths through non-objects. countRelated needs the database and is
 * not available here (the parser refuses it beside such an expression).
 */
public final class StepJvm {

    /** A step cannot apply to a document; the message is the one the SQL step raises. */
    public static final class Failure extends RuntimeException {
        public Failure(String message) {
            super(message, null, false, false);
        }
    }

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Pattern NUMBER = Pattern.compile("^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$");

    private StepJvm() {
    }

    /** The body after {@code steps}; {@code body} itself is not changed. */
    public static ObjectNode apply(List<Step> steps, ObjectNode body) {
        ObjectNode d = body.deepCopy();
        for (Step s : steps) {
            d = step(s, d);
        }
        return d;
    }

    private static ObjectNode step(Step step, ObjectNode e) {
        if (step instanceof Step.SetDefault d) {
            return blank(get(e, d.field())) ? set(e, d.field(), d.value()) : e;
        }
        if (step instanceof Step.Set s && s.from() != null) {
            return blank(get(e, s.from())) || !blank(get(e, s.field())) ? e : set(e, s.field(), get(e, s.from()));
        }
        if (step instanceof Step.Set s) {
            return set(e, s.field(), s.value());
        }
        if (step instanceof Step.Rename r) {
            JsonNode from = get(e, r.from());
            if (from == null) {
                return e;
            }
            return blank(from) || !blank(get(e, r.to())) ? remove(e, r.from()) : set(remove(e, r.from()), r.to(), from);
        }
        if (step instanceof Step.Unset u) {
            return remove(e, u.field());
        }
        if (step instanceof Step.Split s) {
            return split(e, s);
        }
        if (step instanceof Step.Convert c) {
            return convert(e, c);
        }
        if (step instanceof Step.Join j) {
            return join(e, j);
        }
        if (step instanceof Step.Compute c) {
            JsonNode v;
            try {
                v = c.expr().value(e);
            } catch (CelExpression.Failure f) {
                throw new Failure("the expression for " + c.field() + " has no value: " + f.getMessage() + " (" + c.expr().source() + ")");
            }
            return set(e, c.field(), v);
        }
        if (step instanceof Step.Guard g) {
            return g.condition().holds(e) ? apply(g.steps(), e) : e;
        }
        throw new IllegalArgumentException(step + " runs in the database only");
    }

    private static ObjectNode split(ObjectNode e, Step.Split s) {
        JsonNode source = get(e, s.field());
        if (source == null || source.isNull()) {
            ObjectNode out = e;
            for (FieldPath target : s.into()) {
                out = set(out, target, JSON.textNode(""));
            }
            return out;
        }
        if (!source.isTextual()) {
            throw new Failure("cannot split " + source + " at " + s.field() + ": not a string");
        }
        String text = source.asText();
        // PostgreSQL's string_to_array, like JavaScript's split, keeps empty parts; of "" it gives no parts
        String[] parts = text.isEmpty() ? new String[0] : text.split(Pattern.quote(s.separator()), -1);
        int n = s.into().size();
        ObjectNode out = e;
        for (int i = 0; i < n; i++) {
            String v;
            if (i < n - 1) {
                v = i < parts.length ? parts[i] : "";
            } else {
                v = parts.length >= n ? String.join(s.separator(), java.util.Arrays.copyOfRange(parts, n - 1, parts.length)) : "";
            }
            out = set(out, s.into().get(i), JSON.textNode(v));
        }
        return out;
    }

    private static ObjectNode convert(ObjectNode e, Step.Convert c) {
        JsonNode g = get(e, c.field());
        if (g == null || g.isNull()) {
            return e;
        }
        switch (c.to()) {
            case NUMBER -> {
                if (g.isNumber()) {
                    return e;
                }
                if (g.isBoolean()) {
                    return set(e, c.field(), JSON.numberNode(g.booleanValue() ? 1 : 0));
                }
                if (g.isTextual() && NUMBER.matcher(g.asText()).matches()) {
                    return set(e, c.field(), JSON.numberNode(new BigDecimal(g.asText().strip())));
                }
                throw new Failure("cannot convert " + g + " at " + c.field() + " to a number");
            }
            case STRING -> {
                if (g.isTextual()) {
                    return e;
                }
                if (g.isNumber() || g.isBoolean()) {
                    return set(e, c.field(), JSON.textNode(g.isNumber() ? g.decimalValue().toPlainString() : g.asText()));
                }
                throw new Failure("cannot convert an " + type(g) + " at " + c.field() + " to a string");
            }
            default -> {
                if (g.isBoolean()) {
                    return e;
                }
                if (g.isNumber()) {
                    return set(e, c.field(), JSON.booleanNode(g.decimalValue().signum() != 0));
                }
                String lower = g.isTextual() ? g.asText().toLowerCase(Locale.ROOT) : null;
                if ("true".equals(lower) || "false".equals(lower)) {
                    return set(e, c.field(), JSON.booleanNode(lower.equals("true")));
                }
                throw new Failure("cannot convert " + g + " at " + c.field() + " to a boolean");
            }
        }
    }

    private static ObjectNode join(ObjectNode e, Step.Join j) {
        List<String> parts = new ArrayList<>();
        boolean any = false;
        for (FieldPath f : j.from()) {
            JsonNode v = get(e, f);
            any |= v != null;
            String text = v == null || v.isNull() ? null : v.isTextual() ? v.asText() : v.toString();
            if (text != null && !text.isEmpty()) {
                parts.add(text);
            }
        }
        return any ? set(e, j.into(), JSON.textNode(String.join(j.separator(), parts))) : e;
    }

    private static String type(JsonNode n) {
        return n.isObject() ? "object" : n.isArray() ? "array" : n.isTextual() ? "string" : n.isNumber() ? "number" : n.isBoolean() ? "boolean" : "null";
    }

    /** As the seed's {@code !value} for strings: missing, null or "". */
    private static boolean blank(JsonNode v) {
        return v == null || v.isNull() || v.isTextual() && v.asText().isEmpty();
    }

    /** The value at a path, null when missing (through a non-object, as {@code #>} gives). */
    static JsonNode get(JsonNode e, FieldPath p) {
        JsonNode at = e;
        for (String s : p.segments()) {
            if (at == null || !at.isObject()) {
                return null;
            }
            at = at.get(s);
        }
        return at;
    }

    /** {@code jsonb_set(e, path, v, true)}: the last key is created in an existing object; otherwise unchanged. */
    private static ObjectNode set(ObjectNode e, FieldPath p, JsonNode v) {
        ObjectNode out = e.deepCopy();
        JsonNode parent = parentOf(out, p);
        if (parent instanceof ObjectNode o) {
            o.set(p.segments().get(p.segments().size() - 1), v);
        }
        return out;
    }

    /** {@code e #- path}: the last key removed from an existing object; otherwise unchanged. */
    private static ObjectNode remove(ObjectNode e, FieldPath p) {
        ObjectNode out = e.deepCopy();
        JsonNode parent = parentOf(out, p);
        if (parent instanceof ObjectNode o) {
            o.remove(p.segments().get(p.segments().size() - 1));
        }
        return out;
    }

    /** The object holding a path's last key; a parent that is an array fails as PostgreSQL does. */
    private static JsonNode parentOf(ObjectNode e, FieldPath p) {
        JsonNode at = e;
        List<String> segments = p.segments();
        for (int i = 0; i < segments.size() - 1; i++) {
            at = at.get(segments.get(i));
            if (at == null || !at.isContainerNode()) {
                return null;
            }
            if (at.isArray()) {
                throw new Failure("path element at position " + (i + 2) + " is not an integer: \"" + segments.get(i + 1) + "\"");
            }
        }
        return at;
    }
}
