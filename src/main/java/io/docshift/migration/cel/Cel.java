package io.docshift.migration.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import io.docshift.error.InvalidRequest;

/**
 * The CEL environment of migrations: one variable, {@code doc}, the document's body as a map (JSON numbers are
 * doubles, as in JSON), the standard functions and macros, nothing else: no I/O, no clock, no randomness, so
 * an expression gives the same value for the same document on every pod. Heterogeneous numeric comparisons are
 * on ({@code doc.spend > 1000} works), regular expressions are RE2 (linear time).
 */
public final class Cel {

    /** The most source text an expression may have. */
    public static final int MAX_SOURCE = 4096;
    /**
     * The bound on an expression's cost, in evaluated nodes per document, checked statically at registration
     * (a comprehension counts as many iterations as a document can have elements) and again while evaluating.
     */
    public static final long COST_LIMIT = 10_000_000;
    /** The most elements a list in a document can have: a document is at most 1 MiB, an element at least 2 bytes. */
    static final int MAX_ELEMENTS = 524_288;

    private static final CelOptions OPTIONS = CelOptions.current()
            .enableHeterogeneousNumericComparisons(true)
            .comprehensionMaxIterations(MAX_ELEMENTS)
            .maxExpressionCodePointSize(MAX_SOURCE)
            .build();
    private static final CelCompiler COMPILER = CelCompilerFactory.standardCelCompilerBuilder()
            .setOptions(OPTIONS)
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("doc", MapType.create(SimpleType.STRING, SimpleType.DYN))
            .build();
    static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

    private Cel() {
    }

    /**
     * Compiles {@code source} found at JSON Pointer {@code at}: 400 naming the line and column of the first
     * problem, when it is not a boolean where one is needed, or when its cost bound exceeds {@link #COST_LIMIT}.
     */
    public static CelExpression compile(String source, String at, boolean predicate) {
        if (source == null || source.isBlank()) {
            throw InvalidRequest.at(at, "a CEL expression over doc, e.g. doc.spend >= 1000.0");
        }
        if (source.length() > MAX_SOURCE) {
            throw InvalidRequest.at(at, "a CEL expression of at most " + MAX_SOURCE + " characters");
        }
        CelAbstractSyntaxTree ast;
        try {
            ast = COMPILER.compile(source).getAst();
        } catch (CelValidationException e) {
            CelIssue first = e.getErrors().get(0);
            throw InvalidRequest.at(at, "CEL error at line " + first.getSourceLocation().getLine() + ", column "
                    + (first.getSourceLocation().getColumn() + 1) + ": " + first.getMessage());
        }
        if (predicate && !ast.getResultType().equals(SimpleType.BOOL) && !ast.getResultType().equals(SimpleType.DYN)) {
            throw InvalidRequest.at(at, "a condition must be a boolean CEL expression; this one is a " + ast.getResultType().name());
        }
        long cost = CelCost.estimate(ast.getExpr());
        if (cost > COST_LIMIT) {
            throw InvalidRequest.at(at, "the expression may cost up to " + cost + " evaluation steps per document, above the limit of "
                    + COST_LIMIT + " (a comprehension counts " + MAX_ELEMENTS + " iterations; nested ones multiply)");
        }
        try {
            return new CelExpression(source, ast, RUNTIME.createProgram(ast), cost);
        } catch (CelEvaluationException e) {
            throw InvalidRequest.at(at, "CEL error: " + e.getMessage());
        }
    }
}
