package io.docshift.migration;

import com.fasterxml.jackson.databind.JsonNode;
import io.docshift.migration.cel.CelExpression;
import io.docshift.migration.step.Step;
import io.docshift.migration.step.StepSql;

import java.time.Duration;
import java.util.List;

/**
 * A registered migration: declarative ({@code steps}) or Java ({@code javaClass}), the table it walks and
 * how it may run. With {@code backup}, each run saves every body it changes, in the same transaction, so
 * it can be rolled back. {@code source} is the definition as JSON; {@code checksum} the SHA-256 of its canonical form.
 * With {@code where} (a CEL condition), the steps are one {@link Step.Guard} that applies them where it holds,
 * and a plain run walks only the documents it selects.
 */
public record MigrationDefinition(String name, String table, CelExpression where, List<Step> steps, String javaClass,
                                  boolean backup, Double maxDocumentsPerSecond, Window window, JsonNode source, String checksum) {

    /** Where a migration's documents are changed. */
    public enum Evaluation {
        /** In PostgreSQL: one statement per batch, documents never leave the database. */
        SQL,
        /** In the JVM, batch by batch, as a Java migration: a CEL expression PostgreSQL cannot evaluate. */
        JVM,
        /** A Java migration. */
        JAVA;

        public String json() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public Evaluation evaluation() {
        return isJava() ? Evaluation.JAVA : StepSql.inSql(steps) ? Evaluation.SQL : Evaluation.JVM;
    }

    /** Whether the batches run in the JVM (a Java migration, or steps with an expression only the JVM evaluates). */
    public boolean inJvm() {
        return evaluation() != Evaluation.SQL;
    }

    /** When runs may process batches: from each firing of {@code cron} (Quartz syntax) for {@code duration}. */
    public record Window(String cron, Duration duration) {
    }

    public boolean isJava() {
        return javaClass != null;
    }
}
