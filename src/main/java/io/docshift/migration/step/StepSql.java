package io.docshift.migration.step;

import io.docshift.document.store.DocTable;
import io.docshift.migration.cel.CelExpression;
import io.docshift.migration.cel.CelSql;
import io.docshift.schema.index.IndexNames;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns declarative steps into one chain of SQL expressions evaluated by PostgreSQL: stage {@code s0.d} is
 * the stored body (the caller provides it), each step a {@code cross join lateral} over the previous stage,
 * so the work stays in the database and each stage names its input once. Paths are validated identifiers and go into the text;
 * values are bound. The chain may use {@code b.idtext}, the document's id as clients see it.
 */
public final class StepSql {

    /** SQL text with its parameters in textual order (Strings bind as text; casts in the text say the type). */
    public record Fragment(String sql, List<Object> params, int stages) {
    }

    private final StringBuilder sql = new StringBuilder();
    private final List<Object> params = new ArrayList<>();
    /** Names this chain's stages (a where's steps form a chain of their own inside, under other names). */
    private final String stage;
    /**
     * Whether the SQL may call only IMMUTABLE functions where it chooses (CASE, COALESCE): Citus refuses anything
     * else there in an UPDATE of a distributed table, so a field is then set with jsonb_set rather than
     * {@code || jsonb_build_object} (STABLE), which gives the same body.
     */
    private final boolean immutable;
    private int guards;

    private StepSql(String stage, boolean immutable) {
        this.stage = stage;
        this.immutable = immutable;
    }

    /**
     * Whether PostgreSQL can run {@code steps}: every CEL expression among them translates to SQL. Otherwise
     * the migration runs in the JVM ({@link StepJvm}), as a Java migration does.
     */
    public static boolean inSql(List<Step> steps) {
        for (CelExpression x : Step.expressions(steps)) {
            if (!CelSql.translatable(x)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The lateral chain for {@code steps}: it follows a relation {@code s0(d)} holding the stored body and, for
     * countRelated, {@code b(idtext)}; {@code related} resolves a countRelated table (absent: it never had documents).
     */
    public static Fragment chain(List<Step> steps, Map<String, DocTable> related) {
        return chain(steps, related, "s", false);
    }

    /** {@link #chain(List, Map)}, in IMMUTABLE functions where it chooses when {@code immutable} (for Citus). */
    public static Fragment chain(List<Step> steps, Map<String, DocTable> related, boolean immutable) {
        return chain(steps, related, "s", immutable);
    }

    private static Fragment chain(List<Step> steps, Map<String, DocTable> related, String stage, boolean immutable) {
        StepSql s = new StepSql(stage, immutable);
        for (int i = 0; i < steps.size(); i++) {
            String in = stage + i + ".d";
            s.sql.append(" cross join lateral (select ");
            s.step(steps.get(i), in, related);
            s.sql.append(" as d) ").append(stage).append(i + 1);
        }
        return new Fragment(s.sql.toString(), s.params, steps.size());
    }

    /**
     * A migration of one step (other than countRelated, which needs the computed id) as one expression over
     * {@code e}: an update can then compute each new body without a per-row subquery. Empty otherwise.
     */
    public static java.util.Optional<Fragment> single(List<Step> steps, String e) {
        return single(steps, e, false);
    }

    /** {@link #single(List, String)}, in IMMUTABLE functions where it chooses when {@code immutable} (for Citus). */
    public static java.util.Optional<Fragment> single(List<Step> steps, String e, boolean immutable) {
        if (steps.size() != 1 || Step.flatten(steps).stream().anyMatch(st -> st instanceof Step.CountRelated)) {
            return java.util.Optional.empty();
        }
        StepSql s = new StepSql("s", immutable);
        s.step(steps.get(0), e, Map.of());
        return java.util.Optional.of(new Fragment(s.sql.toString(), s.params, 1));
    }

    /** The tables that countRelated steps name, as {@code find} resolves them (a table never written is absent). */
    public static Map<String, DocTable> related(List<Step> steps, java.util.function.Function<String, java.util.Optional<DocTable>> find) {
        Map<String, DocTable> out = new java.util.HashMap<>();
        for (Step s : Step.flatten(steps)) {
            if (s instanceof Step.CountRelated cr) {
                find.apply(cr.table()).ifPresent(t -> out.put(cr.table(), t));
            }
        }
        return out;
    }

    /**
     * For a migration of one step, a predicate over the stored body {@code e} that is true exactly when the
     * step would change the document, far cheaper than computing the new body to compare it; empty when
     * no such shortcut is known (the caller then compares bodies).
     */
    public static java.util.Optional<Fragment> changes(List<Step> steps, String e) {
        if (steps.size() != 1) {
            return java.util.Optional.empty();
        }
        Step step = steps.get(0);
        StepSql s = new StepSql("s", false);
        if (step instanceof Step.SetDefault d) {
            s.text(blank(get(e, d.field())));
        } else if (step instanceof Step.Unset u) {
            s.text(get(e, u.field()) + " is not null");
        } else if (step instanceof Step.Rename r) {
            s.text(get(e, r.from()) + " is not null");
        } else if (step instanceof Step.Set set && set.from() == null) {
            s.text(get(e, set.field()) + " is distinct from ");
            s.value(set.value());
        } else {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Fragment(s.sql.toString(), s.params, 0));
    }

    private void step(Step step, String e, Map<String, DocTable> related) {
        if (step instanceof Step.SetDefault d) {
            // the seed's backfillCustomerStatus: if (!customer.status): missing, null or ""
            text("case when " + blank(get(e, d.field())) + " then ");
            setPath(e, d.field(), () -> value(d.value()));
            text(" else " + e + " end");
        } else if (step instanceof Step.Set s && s.from() != null) {
            // the seed's migrateNameToFullName: if (!customer.fullName && customer.name): an existing value is kept
            text("case when " + blank(get(e, s.from())) + " or not " + blank(get(e, s.field())) + " then " + e + " else ");
            setPath(e, s.field(), () -> text(get(e, s.from())));
            text(" end");
        } else if (step instanceof Step.Set s) {
            setPath(e, s.field(), () -> value(s.value()));
        } else if (step instanceof Step.Rename r) {
            // copy as migrateNameToFullName does (keeping a target that has a value), then drop the old field
            text("case when " + get(e, r.from()) + " is null then " + e + " when " + blank(get(e, r.from())) + " or not "
                    + blank(get(e, r.to())) + " then " + remove(e, r.from()) + " else ");
            setPath(remove(e, r.from()), r.to(), () -> text(get(e, r.from())));
            text(" end");
        } else if (step instanceof Step.Unset u) {
            text(remove(e, u.field()));
        } else if (step instanceof Step.Split s) {
            split(e, s);
        } else if (step instanceof Step.Convert c) {
            convert(e, c);
        } else if (step instanceof Step.Join j) {
            join(e, j);
        } else if (step instanceof Step.Compute c) {
            Fragment v = CelSql.value(c.expr(), e)
                    .orElseThrow(() -> new IllegalArgumentException("evaluated in the JVM: " + c.expr()));
            setPath(e, c.field(), () -> {
                text("coalesce(" + v.sql() + ", docshift.migration_fail(?))");
                params.addAll(v.params());
                params.add("the expression for " + c.field() + " has no value: a field it reads is missing or of another type ("
                        + c.expr().source() + ")");
            });
        } else if (step instanceof Step.Guard g) {
            // the where's steps as a chain of their own, over this stage's body, where the condition holds
            Fragment condition = CelSql.condition(g.condition(), e)
                    .orElseThrow(() -> new IllegalArgumentException("evaluated in the JVM: " + g.condition()));
            String inner = stage + "g" + (guards++) + "_";
            Fragment steps = chain(g.steps(), related, inner, immutable);
            text("(case when " + condition.sql() + " then (select " + inner + steps.stages() + ".d from (select " + e + " as d) " + inner + "0"
                    + steps.sql() + ") else " + e + " end)");
            params.addAll(condition.params());
            params.addAll(steps.params());
        } else if (step instanceof Step.CountRelated c) {
            DocTable table = related.get(c.table());
            setPath(e, c.field(), () -> text(table == null ? "'0'::jsonb"
                    : "to_jsonb((select count(*) from " + table.sqlName() + " r where "
                    + IndexNames.expression(c.foreignKey().toString()) + " = to_jsonb(b.idtext)))"));
        } else {
            throw new IllegalArgumentException("unknown step " + step);
        }
    }

    /**
     * The seed's splitNameField: {@code user.name?.split(" ") || ["", ""]}: a missing or null source gives every
     * target "", a string is split on the separator exactly as JavaScript splits (empty parts kept), the first
     * targets take a part each and the last the rest joined; any other type fails, naming the document.
     */
    private void split(String e, Step.Split s) {
        String source = get(e, s.field());
        String path = s.field().toString().replace("'", "");
        StringBuilder empty = new StringBuilder(e);
        for (FieldPath target : s.into()) {
            empty = new StringBuilder(setPathText(empty.toString(), target, "'\"\"'::jsonb"));
        }
        text("case when coalesce(" + source + ", 'null'::jsonb) = 'null'::jsonb then " + empty
                + " when jsonb_typeof(" + source + ") <> 'string' then docshift.migration_fail('cannot split ' || " + source
                + "::text || ' at " + path + ": not a string') else (select ");
        int n = s.into().size();
        // setPath(setPath(e, into1, v1), into2, v2)...: each target gets its part, the last the rest
        StringBuilder nested = new StringBuilder(e);
        List<Object> nestedParams = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            FieldPath target = s.into().get(i);
            String v = i < n - 1
                    ? "to_jsonb(coalesce(x.a[" + (i + 1) + "], ''))"
                    : "to_jsonb(coalesce(array_to_string(x.a[" + n + ":], ?), ''))";
            if (i == n - 1) {
                nestedParams.add(s.separator());
            }
            nested = new StringBuilder(setPathText(nested.toString(), target, v));
        }
        text(nested.toString());
        params.addAll(nestedParams);
        text(" from (select string_to_array(" + source + " #>> '{}', ?) as a) x) end");
        params.add(s.separator());
    }

    private void join(String e, Step.Join j) {
        StringBuilder parts = new StringBuilder();
        StringBuilder anyPresent = new StringBuilder();
        for (FieldPath f : j.from()) {
            parts.append(", nullif(").append(get(e, f)).append(" #>> '{}', '')");
            anyPresent.append(anyPresent.length() == 0 ? "" : " or ").append(get(e, f)).append(" is not null");
        }
        text("case when " + anyPresent + " then ");
        setPath(e, j.into(), () -> {
            text("to_jsonb(concat_ws(?::text" + parts + "))");
            params.add(j.separator());
        });
        text(" else " + e + " end");
    }

    private void convert(String e, Step.Convert c) {
        String g = get(e, c.field());
        String scalar = g + " #>> '{}'";
        String kind = "jsonb_typeof(" + g + ")";
        String path = c.field().toString().replace("'", "");
        switch (c.to()) {
            case NUMBER -> {
                text("case when " + g + " is null or " + kind + " in ('number', 'null') then " + e
                        + " when " + kind + " = 'boolean' then ");
                setPath(e, c.field(), () -> text("to_jsonb((" + g + " = 'true'::jsonb)::int)"));
                text(" when " + kind + " = 'string' and (" + scalar + ") ~ '^\\s*[-+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?\\s*$' then ");
                setPath(e, c.field(), () -> text("to_jsonb((" + scalar + ")::numeric)"));
                text(" else docshift.migration_fail('cannot convert ' || " + g + "::text || ' at " + path + " to a number') end");
            }
            case STRING -> {
                text("case when " + g + " is null or " + kind + " in ('string', 'null') then " + e
                        + " when " + kind + " in ('number', 'boolean') then ");
                setPath(e, c.field(), () -> text("to_jsonb(" + scalar + ")"));
                text(" else docshift.migration_fail('cannot convert an ' || " + kind + " || ' at " + path + " to a string') end");
            }
            case BOOLEAN -> {
                text("case when " + g + " is null or " + kind + " in ('boolean', 'null') then " + e
                        + " when " + kind + " = 'number' then ");
                setPath(e, c.field(), () -> text("to_jsonb((" + scalar + ")::numeric <> 0)"));
                text(" when " + kind + " = 'string' and lower(" + scalar + ") in ('true', 'false') then ");
                setPath(e, c.field(), () -> text("to_jsonb(lower(" + scalar + ") = 'true')"));
                text(" else docshift.migration_fail('cannot convert ' || " + g + "::text || ' at " + path + " to a boolean') end");
            }
        }
    }

    /** Whether a value is blank, as the seed's {@code !value} means for a string: missing, null or "". */
    private static String blank(String value) {
        return "(coalesce(" + value + ", 'null'::jsonb) in ('null'::jsonb, '\"\"'::jsonb))";
    }

    /** The value at a path: SQL NULL when missing. */
    private static String get(String e, FieldPath p) {
        return p.topLevel() ? "(" + e + " -> '" + p.segments().get(0) + "')" : "(" + e + " #> '" + p.arrayLiteral() + "')";
    }

    private static String remove(String e, FieldPath p) {
        return p.topLevel() ? "(" + e + " - '" + p.segments().get(0) + "')" : "(" + e + " #- '" + p.arrayLiteral() + "')";
    }

    /** Appends {@code setPath(e, p, value)}; a nested path needs its parent objects to exist. */
    private void setPath(String e, FieldPath p, Runnable value) {
        if (p.topLevel() && immutable) {
            text("jsonb_set(" + e + ", '" + p.arrayLiteral() + "', coalesce(");
            value.run();
            text(", 'null'::jsonb), true)");
        } else if (p.topLevel()) {
            text("(" + e + " || jsonb_build_object('" + p.segments().get(0) + "', ");
            value.run();
            text("))");
        } else {
            text("jsonb_set(" + e + ", '" + p.arrayLiteral() + "', ");
            value.run();
            text(", true)");
        }
    }

    private static String setPathText(String e, FieldPath p, String value) {
        return p.topLevel()
                ? "(" + e + " || jsonb_build_object('" + p.segments().get(0) + "', " + value + "))"
                : "jsonb_set(" + e + ", '" + p.arrayLiteral() + "', " + value + ", true)";
    }

    private void value(com.fasterxml.jackson.databind.JsonNode v) {
        text("?::jsonb");
        params.add(v.toString());
    }

    private void text(String s) {
        sql.append(s);
    }
}
