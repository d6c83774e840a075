package io.docshift.migration.cel;

import dev.cel.common.ast.CelExpr;

/**
 * A static upper bound on the cost of an expression, in evaluated nodes: each node counts one, and the
 * condition and step of a comprehension (the macros all, exists, exists_one, map, filter) count once per
 * element a document's list can have. Nested comprehensions multiply, which is what the limit refuses.
 */
final class CelCost {

    private CelCost() {
    }

    static long estimate(CelExpr e) {
        return switch (e.getKind()) {
            case CONSTANT, IDENT, NOT_SET -> 1;
            case SELECT -> 1 + estimate(e.select().operand());
            case CALL -> {
                long c = 1 + e.call().target().map(CelCost::estimate).orElse(0L);
                for (CelExpr a : e.call().args()) {
                    c = add(c, estimate(a));
                }
                yield c;
            }
            case LIST -> {
                long c = 1;
                for (CelExpr a : e.list().elements()) {
                    c = add(c, estimate(a));
                }
                yield c;
            }
            case MAP -> {
                long c = 1;
                for (CelExpr.CelMap.Entry en : e.map().entries()) {
                    c = add(c, add(estimate(en.key()), estimate(en.value())));
                }
                yield c;
            }
            case STRUCT -> {
                long c = 1;
                for (CelExpr.CelStruct.Entry en : e.struct().entries()) {
                    c = add(c, estimate(en.value()));
                }
                yield c;
            }
            case COMPREHENSION -> {
                CelExpr.CelComprehension c = e.comprehension();
                long body = add(estimate(c.loopCondition()), estimate(c.loopStep()));
                yield add(add(estimate(c.iterRange()), estimate(c.accuInit())), add(multiply(body, Cel.MAX_ELEMENTS), estimate(c.result())));
            }
        };
    }

    private static long add(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    private static long multiply(long a, long b) {
        return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
    }
}
