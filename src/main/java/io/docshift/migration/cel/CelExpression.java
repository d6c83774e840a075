package io.docshift.migration.cel;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;

import java.util.Map;

/**
 * A compiled CEL expression over {@code doc}, with the static bound of its cost. Evaluation in the JVM counts
 * the nodes it evaluates and stops past {@link Cel#COST_LIMIT}; errors (a missing key, a wrong type, an
 * overflow) come back as {@link Failure}, for the caller to name the document.
 */
public final class CelExpression {

    /** Why an expression has no value for a document. */
    public static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private static final class TooCostly extends RuntimeException {
        TooCostly() {
            super(null, null, false, false);
        }
    }

    private final String source;
    private final CelAbstractSyntaxTree ast;
    private final CelRuntime.Program program;
    private final long cost;

    CelExpression(String source, CelAbstractSyntaxTree ast, CelRuntime.Program program, long cost) {
        this.source = source;
        this.ast = ast;
        this.program = program;
        this.cost = cost;
    }

    public String source() {
        return source;
    }

    public long cost() {
        return cost;
    }

    CelAbstractSyntaxTree ast() {
        return ast;
    }

    /** The value for a document's body, as JSON. */
    public JsonNode value(JsonNode body) {
        return CelJson.fromCel(evaluate(body));
    }

    /** Whether the condition holds for a document's body: false when it is not true (false, or an error). */
    public boolean holds(JsonNode body) {
        try {
            return Boolean.TRUE.equals(evaluate(body));
        } catch (Failure e) {
            return false;
        }
    }

    private Object evaluate(JsonNode body) {
        long[] steps = {0};
        try {
            return program.trace(Map.of("doc", CelJson.toCel(body)), (e, v) -> {
                if (++steps[0] > Cel.COST_LIMIT) {
                    throw new TooCostly();
                }
            });
        } catch (TooCostly e) {
            throw new Failure("the expression went past the cost limit of " + Cel.COST_LIMIT + " evaluation steps");
        } catch (CelEvaluationException e) {
            if (e.getCause() instanceof TooCostly) {
                throw new Failure("the expression went past the cost limit of " + Cel.COST_LIMIT + " evaluation steps");
            }
            throw new Failure(e.getMessage().replaceFirst("^evaluation error at <input>:\\d+: ", ""));
        }
    }

    @Override
    public String toString() {
        return source;
    }
}
