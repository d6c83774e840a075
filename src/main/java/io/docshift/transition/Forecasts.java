package io.docshift.transition;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.db.Jdbc;
import io.docshift.document.json.DocumentJson;
import io.docshift.document.json.JsonPath;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.DocumentId;
import io.docshift.document.store.TableRegistry;
import io.docshift.migration.JavaMigration;
import io.docshift.migration.MigrationDefinition;
import io.docshift.migration.MigrationRegistry;
import io.docshift.migration.MigrationsConfig;
import io.docshift.migration.step.Step;
import io.docshift.migration.step.StepJvm;
import io.docshift.schema.Schema;
import io.docshift.schema.SchemaChecker;
import io.docshift.schema.TableReport;
import io.docshift.schema.validate.Validator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Predicts what the migrations a push lists would leave, before anything runs: each table's documents are taken
 * through its sweep in the pod, exactly as a run would change them, and checked against the target. Declarative
 * steps (CEL included) are simulated on every document, so the forecast is exact; a Java migration is given the
 * violating documents, at most {@code docshift.migrations.plan-sample} of them. A {@code countRelated} step reads
 * other tables and runs only in PostgreSQL: its table gets no forecast, and the push goes on as before.
 */
@ApplicationScoped
class Forecasts {

    private static final int EXAMPLES = 10;
    private static final int FETCH = 5_000;

    @Inject
    TableRegistry tables;
    @Inject
    MigrationRegistry registry;
    @Inject
    MigrationsConfig config;
    @Inject
    DataSource dataSource;

    /** {@code reports} (documents violating {@code next} now), each with what {@code sweeps} would leave of its table. */
    List<TableReport> predict(Schema next, List<List<MigrationDefinition>> sweeps, List<TableReport> reports) {
        Map<String, List<MigrationDefinition>> byTable = sweeps.stream().collect(Collectors.toMap(s -> s.get(0).table(), Function.identity()));
        List<TableReport> out = new ArrayList<>();
        for (TableReport r : reports) {
            List<MigrationDefinition> series = byTable.get(r.table());
            if (series == null) {
                // nothing listed migrates this table: every violation stays
                out.add(r.withForecast(new TableReport.Forecast(r.violating(), r.examples(), 0, List.of(), 0, false)));
            } else if (series.stream().anyMatch(d -> Step.flatten(d.steps()).stream().anyMatch(s -> s instanceof Step.CountRelated))) {
                out.add(r);
            } else {
                out.add(r.withForecast(simulate(tables.find(r.table()).orElseThrow(), next.table(r.table()).document(), series)));
            }
        }
        return out;
    }

    /** Takes every document through {@code series} (a declarative series, or one Java migration) and checks the result. */
    private TableReport.Forecast simulate(DocTable table, Validator target, List<MigrationDefinition> series) {
        JavaMigration java = series.get(0).isJava() ? registry.inJvm(series.get(0)) : null;
        ObjectNode noArgs = JsonNodeFactory.instance.objectNode();
        JsonPath path = new JsonPath();
        return Jdbc.call(dataSource, c -> {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false); // a cursor-based fetch needs a transaction
            Tally tally = new Tally();
            try (PreparedStatement p = c.prepareStatement("select id, data::text from " + table.sqlName() + " order by id")) {
                p.setFetchSize(FETCH);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        ObjectNode body = DocumentJson.fromStoredText(r.getString(2));
                        if (java != null && target.validate(body, path, null)) {
                            continue; // a Java migration is asked only about the documents that need it
                        }
                        if (java != null && tally.simulated == config.planSample()) {
                            tally.sample = true;
                            break;
                        }
                        tally.simulated++;
                        String id = DocumentId.fromUuid(r.getObject(1, UUID.class)).toString();
                        ObjectNode after = body;
                        MigrationDefinition member = null;
                        try {
                            for (MigrationDefinition m : series) {
                                member = m;
                                after = java == null ? StepJvm.apply(m.steps(), after) : java.migrate(id, after.deepCopy(), noArgs).orElse(after);
                            }
                        } catch (RuntimeException e) {
                            tally.fail(member, id, e);
                            continue;
                        }
                        tally.check(target, id, after, path);
                    }
                }
            } finally {
                c.rollback();
                c.setAutoCommit(autoCommit);
            }
            return new TableReport.Forecast(tally.violating, tally.examples, tally.failing, tally.failures, tally.simulated, tally.sample);
        });
    }

    /** What the simulation of one table found. */
    private static final class Tally {
        long simulated;
        long violating;
        long failing;
        boolean sample;
        final List<TableReport.Example> examples = new ArrayList<>();
        final List<TableReport.Failure> failures = new ArrayList<>();

        void fail(MigrationDefinition def, String id, RuntimeException e) {
            failing++;
            if (failures.size() < EXAMPLES) {
                String why = e instanceof StepJvm.Failure ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
                failures.add(new TableReport.Failure(def.name(), id, why));
            }
        }

        void check(Validator target, String id, ObjectNode after, JsonPath path) {
            if (target.validate(after, path, null)) {
                return;
            }
            violating++;
            if (examples.size() < EXAMPLES) {
                SchemaChecker.addExamples(target, id, after, examples, EXAMPLES);
            }
        }
    }
}
