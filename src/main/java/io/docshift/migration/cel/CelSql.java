package io.docshift.migration.cel;

import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import io.docshift.migration.step.StepSql;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Compiles the part of CEL that PostgreSQL can evaluate with the same result into SQL over a jsonb body
 * {@code e}: field selection, has(), literals, ==, !=, &lt;, &lt;=, &gt;, &gt;=, &amp;&amp;, ||, !, ?:, + - * / on
 * doubles (+ on strings and lists), lists of literals, size(), startsWith, endsWith, contains. SQL NULL stands for a CEL error:
 * it propagates like one, and SQL's three-valued and/or absorb it exactly where CEL's commutative logic
 * does. Anything else (macros, conversions, int arithmetic, ...) is left to the JVM: {@link Optional#empty()}.
 * <p>
 * In a condition, equalities and numeric ranges between a field and a literal are written as the index
 * expression of that field ({@code coalesce(data -> 'f', 'null'::jsonb)}), so PostgreSQL can answer them from
 * an index, as Convex's customRange does.
 */
public final class CelSql {

    private static final Pattern PLAIN = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");

    /** What is statically known of a translated value's CEL type. */
    private enum Type { DYN, DOUBLE, INT, STRING, BOOL, NULL }

    /** SQL text, its parameters, and whether it is a boolean (else jsonb). */
    private record Sql(String text, List<Object> params, boolean bool, Type type) {
        Sql json() {
            return bool ? new Sql("to_jsonb(" + text + ")", params, false, Type.BOOL) : this;
        }

        Sql asBool() {
            return bool ? this : new Sql("docshift.cel_bool(" + text + ")", params, true, Type.BOOL);
        }
    }

    private final String body;
    private final boolean condition;
    /** Whether the node being translated decides the condition's truth directly (only &&, || above it). */
    private boolean positive;

    private CelSql(String body, boolean condition) {
        this.body = body;
        this.condition = condition;
        this.positive = condition;
    }

    /** The jsonb value of {@code x} over body {@code e}; SQL NULL where CEL has an error. Empty when not translatable. */
    public static Optional<StepSql.Fragment> value(CelExpression x, String e) {
        return new CelSql(e, false).translate(x.ast().getExpr()).map(s -> {
            Sql j = s.json();
            return new StepSql.Fragment(j.text(), j.params(), 0);
        });
    }

    /**
     * A predicate over body {@code e} that is true exactly when {@code x} is true; where CEL has false or an error
     * it is false or NULL, which WHERE and CASE WHEN both take as false. Left bare, so an index can answer it.
     */
    public static Optional<StepSql.Fragment> condition(CelExpression x, String e) {
        return new CelSql(e, true).translate(x.ast().getExpr()).map(s -> {
            Sql b = s.asBool();
            return new StepSql.Fragment(b.text(), b.params(), 0);
        });
    }

    /** Whether PostgreSQL can evaluate {@code x}. */
    public static boolean translatable(CelExpression x) {
        return new CelSql("d", false).translate(x.ast().getExpr()).isPresent();
    }

    private Optional<Sql> translate(CelExpr x) {
        return switch (x.getKind()) {
            case CONSTANT -> constant(x.constant());
            case IDENT -> x.ident().name().equals("doc") ? Optional.of(new Sql(body, List.of(), false, Type.DYN)) : Optional.empty();
            case SELECT -> select(x.select());
            case CALL -> call(x.call());
            case LIST -> constantList(x.list());
            default -> Optional.empty();
        };
    }

    /** A list of literals, as one jsonb literal (a list computing its elements is left to the JVM). */
    private static Optional<Sql> constantList(CelExpr.CelList list) {
        StringBuilder json = new StringBuilder("[");
        for (CelExpr e : list.elements()) {
            Optional<Sql> c = e.getKind() == CelExpr.ExprKind.Kind.CONSTANT ? constant(e.constant()) : Optional.empty();
            if (c.isEmpty() || !list.optionalIndices().isEmpty()) {
                return Optional.empty();
            }
            json.append(json.length() == 1 ? "" : ",").append(c.get().bool() ? c.get().text() : c.get().params().isEmpty() ? "null" : c.get().params().get(0));
        }
        return Optional.of(literal(json.append(']').toString(), Type.DYN));
    }

    private static Optional<Sql> constant(CelConstant c) {
        return switch (c.getKind()) {
            case STRING_VALUE -> Optional.of(literal(com.fasterxml.jackson.databind.node.TextNode.valueOf(c.stringValue()).toString(), Type.STRING));
            case DOUBLE_VALUE -> Double.isFinite(c.doubleValue())
                    ? Optional.of(literal(new java.math.BigDecimal(Double.toString(c.doubleValue())).toPlainString(), Type.DOUBLE)) : Optional.empty();
            case INT64_VALUE -> Optional.of(literal(Long.toString(c.int64Value()), Type.INT));
            case BOOLEAN_VALUE -> Optional.of(new Sql(c.booleanValue() ? "true" : "false", List.of(), true, Type.BOOL));
            case NULL_VALUE -> Optional.of(new Sql("'null'::jsonb", List.of(), false, Type.NULL));
            default -> Optional.empty();
        };
    }

    private static Sql literal(String json, Type type) {
        return new Sql("?::jsonb", List.of(json), false, type);
    }

    /** A path {@code doc.a.b} as its segments, or empty when {@code x} is not one with plain names. */
    private static Optional<List<String>> path(CelExpr x) {
        List<String> segments = new ArrayList<>();
        CelExpr at = x;
        while (at.getKind() == CelExpr.ExprKind.Kind.SELECT && !at.select().testOnly()) {
            if (!PLAIN.matcher(at.select().field()).matches()) {
                return Optional.empty();
            }
            segments.add(0, at.select().field());
            at = at.select().operand();
        }
        if (at.getKind() != CelExpr.ExprKind.Kind.IDENT || !at.ident().name().equals("doc") || segments.isEmpty() || segments.size() > 16) {
            return Optional.empty();
        }
        return Optional.of(segments);
    }

    /** The SQL of a path on the body, written exactly as the index expression writes it. */
    private String access(List<String> segments) {
        return segments.size() == 1 ? "(" + body + " -> '" + segments.get(0) + "')" : "(" + body + " #> '{" + String.join(",", segments) + "}')";
    }

    private Optional<Sql> select(CelExpr.CelSelect s) {
        if (!PLAIN.matcher(s.field()).matches()) {
            return Optional.empty();
        }
        if (s.testOnly()) {
            return translate(s.operand()).map(o -> {
                Sql j = o.json();
                String exists = "jsonb_exists(" + j.text() + ", '" + s.field() + "')";
                return new Sql(j.text().equals(body) ? exists : "(case when jsonb_typeof(" + j.text() + ") = 'object' then " + exists + " end)",
                        j.params(), true, Type.BOOL);
            });
        }
        Optional<List<String>> path = path(CelExpr.ofSelect(0, s.operand(), s.field(), false));
        if (path.isPresent()) {
            return Optional.of(new Sql(access(path.get()), List.of(), false, Type.DYN));
        }
        return translate(s.operand()).map(o -> new Sql("(" + o.json().text() + " -> '" + s.field() + "')", o.json().params(), false, Type.DYN));
    }

    private Optional<Sql> call(CelExpr.CelCall c) {
        boolean wasPositive = positive;
        boolean logical = c.function().equals("_&&_") || c.function().equals("_||_");
        positive = wasPositive && logical;
        try {
            return call(c, wasPositive);
        } finally {
            positive = wasPositive;
        }
    }

    private Optional<Sql> call(CelExpr.CelCall c, boolean decides) {
        List<CelExpr> args = new ArrayList<>();
        c.target().ifPresent(args::add);
        args.addAll(c.args());
        String f = c.function();
        if (f.equals("_&&_") || f.equals("_||_")) {
            return both(args).map(ab -> new Sql("(" + ab.get(0).asBool().text() + (f.equals("_&&_") ? " and " : " or ") + ab.get(1).asBool().text() + ")",
                    params(ab.get(0).asBool(), ab.get(1).asBool()), true, Type.BOOL));
        }
        if (f.equals("!_") && args.size() == 1) {
            return translate(args.get(0)).map(a -> new Sql("(not " + a.asBool().text() + ")", a.asBool().params(), true, Type.BOOL));
        }
        if (f.equals("_?_:_") && args.size() == 3) {
            Optional<Sql> cond = translate(args.get(0));
            Optional<List<Sql>> branches = both(args.subList(1, 3));
            if (cond.isEmpty() || branches.isEmpty()) {
                return Optional.empty();
            }
            Sql k = cond.get().asBool();
            Sql a = branches.get().get(0).json();
            Sql b = branches.get().get(1).json();
            List<Object> p = new ArrayList<>(k.params());
            p.addAll(a.params());
            p.addAll(k.params());
            p.addAll(b.params());
            return Optional.of(new Sql("(case when " + k.text() + " then " + a.text() + " when not " + k.text() + " then " + b.text() + " end)",
                    p, false, a.type() == b.type() ? a.type() : Type.DYN));
        }
        if ((f.equals("_==_") || f.equals("_!=_")) && args.size() == 2) {
            Optional<Sql> indexed = condition && decides && f.equals("_==_") ? indexedComparison(f, args) : Optional.empty();
            if (indexed.isPresent()) {
                return indexed;
            }
            return both(args).map(ab -> new Sql("(" + ab.get(0).json().text() + (f.equals("_==_") ? " = " : " <> ") + ab.get(1).json().text() + ")",
                    params(ab.get(0).json(), ab.get(1).json()), true, Type.BOOL));
        }
        String compare = switch (f) {
            case "_<_" -> "cel_lt";
            case "_<=_" -> "cel_le";
            case "_>_" -> "cel_gt";
            case "_>=_" -> "cel_ge";
            default -> null;
        };
        if (compare != null && args.size() == 2) {
            Optional<Sql> indexed = condition && decides ? indexedComparison(f, args) : Optional.empty();
            if (indexed.isPresent()) {
                return indexed;
            }
            return both(args).map(ab -> function(compare, ab, true, Type.BOOL));
        }
        String arithmetic = switch (f) {
            case "_+_" -> "cel_add";
            case "_-_" -> "cel_sub";
            case "_*_" -> "cel_mul";
            case "_/_" -> "cel_div";
            default -> null;
        };
        if (arithmetic != null && args.size() == 2) {
            // CEL's int arithmetic (and int mixed with the doubles documents hold) has other rules: the JVM's job
            return both(args).filter(ab -> ab.stream().noneMatch(s -> s.type() == Type.INT || s.type() == Type.BOOL || s.type() == Type.NULL))
                    .map(ab -> function(arithmetic, ab, false, ab.get(0).type() == ab.get(1).type() ? ab.get(0).type() : Type.DYN));
        }
        if (f.equals("-_") && args.size() == 1) {
            return translate(args.get(0)).filter(a -> a.type() == Type.DYN || a.type() == Type.DOUBLE)
                    .map(a -> function("cel_neg", List.of(a), false, Type.DOUBLE));
        }
        if (f.equals("size") && args.size() == 1) {
            return translate(args.get(0)).map(a -> function("cel_size", List.of(a), false, Type.INT));
        }
        String text = switch (f) {
            case "startsWith" -> "cel_starts";
            case "endsWith" -> "cel_ends";
            case "contains" -> "cel_contains";
            default -> null;
        };
        if (text != null && args.size() == 2 && c.target().isPresent()) {
            return both(args).map(ab -> function(text, ab, true, Type.BOOL));
        }
        return Optional.empty();
    }

    /**
     * {@code doc.f == literal} (or a range against a number) deciding a condition (only &&, || above it),
     * written on the field's index expression: a missing field is JSON null there, so the literal must not be
     * null (for ==) and the field must hold a number (for a range): true exactly when CEL's answer is true.
     * Under a negation the two would differ on a missing field (false there, an error in CEL), so not there.
     */
    private Optional<Sql> indexedComparison(String f, List<CelExpr> args) {
        boolean fieldFirst = path(args.get(0)).isPresent();
        Optional<List<String>> path = path(args.get(fieldFirst ? 0 : 1));
        CelExpr other = args.get(fieldFirst ? 1 : 0);
        if (path.isEmpty() || other.getKind() != CelExpr.ExprKind.Kind.CONSTANT) {
            return Optional.empty();
        }
        Optional<Sql> literal = constant(other.constant()).map(Sql::json);
        if (literal.isEmpty() || literal.get().type() == Type.NULL) {
            return Optional.empty();
        }
        String field = access(path.get());
        String indexed = "coalesce(" + field + ", 'null'::jsonb)";
        Sql k = literal.get();
        if (f.equals("_==_")) {
            return Optional.of(new Sql("(" + indexed + " = " + k.text() + ")", k.params(), true, Type.BOOL));
        }
        if (k.type() != Type.DOUBLE && k.type() != Type.INT) {
            return Optional.empty(); // strings order by code point in CEL, by collation in a jsonb index
        }
        String op = switch (f) {
            case "_<_" -> fieldFirst ? "<" : ">";
            case "_<=_" -> fieldFirst ? "<=" : ">=";
            case "_>_" -> fieldFirst ? ">" : "<";
            default -> fieldFirst ? ">=" : "<=";
        };
        return Optional.of(new Sql("(" + indexed + " " + op + " " + k.text() + " and jsonb_typeof(" + field + ") = 'number')", k.params(), true, Type.BOOL));
    }

    private Optional<List<Sql>> both(List<CelExpr> args) {
        if (args.size() != 2) {
            return Optional.empty();
        }
        Optional<Sql> a = translate(args.get(0));
        Optional<Sql> b = a.isEmpty() ? Optional.empty() : translate(args.get(1));
        return a.isEmpty() || b.isEmpty() ? Optional.empty() : Optional.of(List.of(a.get(), b.get()));
    }

    private static Sql function(String name, List<Sql> args, boolean bool, Type type) {
        List<Object> p = new ArrayList<>();
        StringBuilder text = new StringBuilder("docshift.").append(name).append('(');
        for (int i = 0; i < args.size(); i++) {
            Sql a = args.get(i).json();
            text.append(i == 0 ? "" : ", ").append(a.text());
            p.addAll(a.params());
        }
        return new Sql(text.append(')').toString(), p, bool, type);
    }

    private static List<Object> params(Sql a, Sql b) {
        List<Object> p = new ArrayList<>(a.params());
        p.addAll(b.params());
        return p;
    }
}
