package io.docshift.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.db.Jdbc;
import io.docshift.document.json.DocumentJson;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.DocumentId;
import io.docshift.document.store.TableRegistry;
import io.docshift.error.Unprocessable;
import io.docshift.error.Violation;
import io.docshift.migration.MigrationService.DryRun;
import io.docshift.migration.MigrationService.Example;
import io.docshift.migration.step.StepJvm;
import io.docshift.migration.step.StepSql;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The seed's {@code testMigration}: what a migration would change, with nothing written. */
@ApplicationScoped
public class DryRuns {

    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;

    @Inject
    MigrationRegistry registry;
    @Inject
    TableRegistry tables;
    @Inject
    DataSource dataSource;

    /** What a run would do: counts over the whole table, and up to {@code limit} documents before and after. */
    public DryRun run(MigrationDefinition def, JsonNode args, int limit) {
        Optional<DocTable> table = tables.find(def.table());
        if (table.isEmpty()) {
            return new DryRun(0, 0, List.of(), def.evaluation().json());
        }
        return def.inJvm() ? javaDryRun(def, table.get(), args, limit) : declarativeDryRun(def, table.get(), limit);
    }

    private DryRun declarativeDryRun(MigrationDefinition def, DocTable table, int limit) {
        Map<String, DocTable> related = StepSql.related(def.steps(), tables::find);
        BatchSql sql = new BatchSql(table, def.steps(), StepSql.chain(def.steps(), related), RunExecutor.needsIdText(def), RunKind.plain(0), def.where());
        return Jdbc.call(dataSource, c -> {
            long examined;
            long wouldChange;
            List<Example> examples = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement(sql.dryRunCountsSql())) {
                BatchSql.bind(p, 1, sql.chainParams());
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    examined = r.getLong(1);
                    wouldChange = r.getLong(2);
                }
                try (PreparedStatement e = c.prepareStatement(sql.dryRunExamplesSql())) {
                    int i = BatchSql.bind(e, 1, sql.chainParams());
                    e.setInt(i, limit);
                    try (ResultSet r = e.executeQuery()) {
                        while (r.next()) {
                            examples.add(new Example(DocumentId.fromUuid(r.getObject(1, UUID.class)).toString(),
                                    MAPPER.readTree(r.getString(2)), MAPPER.readTree(r.getString(3))));
                        }
                    }
                }
            } catch (SQLException e) {
                if (e.getSQLState() != null && e.getSQLState().startsWith("22")) {
                    throw new Unprocessable("A real run would fail: " + RunExecutor.firstLine(e.getMessage())
                            + ". Fix the document or the step; a real run stops on it and names it.", List.of(), List.of());
                }
                throw e;
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
            return new DryRun(examined, wouldChange, examples, def.evaluation().json());
        });
    }

    private DryRun javaDryRun(MigrationDefinition def, DocTable table, JsonNode args, int limit) {
        JavaMigration java = registry.inJvm(def);
        return Jdbc.call(dataSource, c -> {
            long examined = 0;
            long wouldChange = 0;
            List<Example> examples = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("select id, data::text from " + table.sqlName() + " order by id")) {
                p.setFetchSize(1000);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        examined++;
                        String id = DocumentId.fromUuid(r.getObject(1, UUID.class)).toString();
                        ObjectNode before = DocumentJson.fromStoredText(r.getString(2));
                        Optional<ObjectNode> after;
                        try {
                            after = java.migrate(id, before.deepCopy(), args);
                        } catch (RuntimeException e) {
                            String why = e instanceof StepJvm.Failure ? e.getMessage() : java.name() + " threw " + e.getClass().getSimpleName() + ": " + e.getMessage();
                            throw new Unprocessable("A real run would fail on document " + id + ": " + why
                                    + ". Fix the document or the migration; a real run stops on it and names it.",
                                    List.of(new Violation("/" + id, why)), List.of());
                        }
                        if (after != null && after.isPresent() && !after.get().equals(before)) {
                            wouldChange++;
                            if (examples.size() < limit) {
                                examples.add(new Example(id, before, after.get()));
                            }
                        }
                    }
                }
            }
            return new DryRun(examined, wouldChange, examples, def.evaluation().json());
        });
    }
}
