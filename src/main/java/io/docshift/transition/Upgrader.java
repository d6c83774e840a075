package io.docshift.transition;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.db.Jdbc;
import io.docshift.document.json.DocumentJson;
import io.docshift.document.store.StoredDocument;
import io.docshift.document.store.TableRegistry;
import io.docshift.migration.JavaMigration;
import io.docshift.migration.MigrationDefinition;
import io.docshift.migration.MigrationRegistry;
import io.docshift.migration.step.Step;
import io.docshift.migration.step.StepSql;
import io.docshift.migration.store.MigrationEntity;
import io.docshift.schema.ActiveSchema.OpenTransition;
import io.docshift.schema.Upgrades;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Brings documents to the target shape of an open transition without writing them: a document read before the
 * sweep reached it is returned upgraded, and a write in the old shape is upgraded before it is stored. It runs
 * the very steps the sweep runs (the same SQL for declarative migrations, the same bean for Java ones), so a
 * document looks the same whether the sweep or a reader upgraded it.
 */
@ApplicationScoped
public class Upgrader implements Upgrades {

    private static final Logger LOG = Logger.getLogger(Upgrader.class);
    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;

    /**
     * How the documents of one table reach the target version: its migration in this transition, and whether
     * this build can run it (an older build may lack a Java migration; it then leaves the upgrade to the sweep).
     */
    public record Plan(long transitionId, int toVersion, MigrationDefinition migration, JavaMigration java, StepSql.Fragment chain,
                       StepSql.Fragment inverse) implements Upgrades.Plan {

        @Override
        public boolean runnable() {
            return java != null || chain != null;
        }
    }

    @Inject
    MigrationRegistry registry;
    @Inject
    TableRegistry tables;
    @Inject
    DataSource dataSource;

    private final Map<String, Optional<Plan>> plans = new ConcurrentHashMap<>();

    @Override
    public Optional<Plan> plan(OpenTransition transition, String table) {
        return plans.computeIfAbsent(transition.id() + "/" + table, k -> load(transition, table));
    }

    /** The plan of a table: the one migration, or the series, that the transition's target names for it. */
    private Optional<Plan> load(OpenTransition t, String table) {
        List<MigrationDefinition> series = new ArrayList<>();
        for (String name : t.target().migrations()) {
            MigrationEntity e = Jdbc.call(dataSource, c -> find(c, name));
            if (e == null) {
                continue;
            }
            Optional<MigrationDefinition> def = registry.definition(e);
            String defTable = def.map(MigrationDefinition::table).orElseGet(() -> tableOf(e));
            if (!table.equals(defTable)) {
                continue;
            }
            if (def.isEmpty()) {
                LOG.warnf("Transition %d: this build lacks Java migration %s; documents of %s are upgraded by the sweep only", t.id(), name, table);
                return Optional.of(new Plan(t.id(), t.toVersion(), null, null, null, null));
            }
            series.add(def.get());
        }
        if (series.isEmpty()) {
            return Optional.empty();
        }
        MigrationDefinition d = MigrationRegistry.series(series);
        return Optional.of(new Plan(t.id(), t.toVersion(), d, registry.inJvm(d),
                d.inJvm() ? null : StepSql.chain(d.steps(), StepSql.related(d.steps(), tables::find)),
                d.isJava() ? null : StepSql.chain(Step.inverse(d.steps()), Map.of())));
    }

    /**
     * The bodies of {@code docs} in the target shape, in order; documents already at the target version are
     * returned as they are. A document the migration cannot convert comes back as it was, with version unchanged.
     */
    @Override
    public List<StoredDocument> forRead(Upgrades.Plan upgrade, List<StoredDocument> docs) {
        Plan plan = (Plan) upgrade;
        if (!plan.runnable() || docs.stream().allMatch(d -> d.schemaVersion() >= plan.toVersion())) {
            return docs;
        }
        List<StoredDocument> out = new ArrayList<>(docs);
        List<Integer> old = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            if (docs.get(i).schemaVersion() < plan.toVersion()) {
                old.add(i);
            }
        }
        List<String> ids = old.stream().map(i -> docs.get(i).id().toString()).toList();
        List<String> bodies = old.stream().map(i -> docs.get(i).bodyText()).toList();
        List<Optional<String>> upgraded = upgradeEach(plan, ids, bodies);
        for (int j = 0; j < old.size(); j++) {
            int i = old.get(j);
            upgraded.get(j).ifPresent(body -> out.set(i, docs.get(i).withBody(body, plan.toVersion())));
        }
        return out;
    }

    @Override
    public List<Optional<String>> upgradeEach(Upgrades.Plan upgrade, List<String> ids, List<String> bodies) {
        Plan plan = (Plan) upgrade;
        try {
            return upgrade(plan, ids, bodies).stream().map(Optional::of).toList();
        } catch (UpgradeFailure all) {
            if (bodies.size() == 1) {
                return List.of(Optional.empty());
            }
            List<Optional<String>> out = new ArrayList<>(bodies.size());
            for (int i = 0; i < bodies.size(); i++) {
                out.addAll(upgradeEach(plan, List.of(ids.get(i)), List.of(bodies.get(i))));
            }
            return out;
        }
    }

    @Override
    public Optional<String> downgrade(Upgrades.Plan upgrade, String id, String body) {
        Plan plan = (Plan) upgrade;
        if (plan.inverse() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Jdbc.call(dataSource, c -> Jdbc.contained(c, x -> sql(x, plan.inverse(), List.of(id), List.of(body)))).get(0));
        } catch (UpgradeFailure e) {
            return Optional.empty();
        }
    }

    /** Why a migration could not bring a document to the target shape. */
    public static final class UpgradeFailure extends RuntimeException {
        UpgradeFailure(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * The bodies in the target shape, in order. Runs on the caller's connection (inside a write's transaction,
     * in a savepoint, so a document the migration refuses cannot spoil it): never a second pooled connection.
     */
    public List<String> upgrade(Plan plan, List<String> ids, List<String> bodies) {
        if (plan.java() != null) {
            List<String> out = new ArrayList<>(bodies.size());
            for (int i = 0; i < bodies.size(); i++) {
                try {
                    Optional<com.fasterxml.jackson.databind.node.ObjectNode> r = plan.java().migrate(ids.get(i), DocumentJson.fromStoredText(bodies.get(i)), MAPPER.createObjectNode());
                    out.add(r != null && r.isPresent() ? DocumentJson.toStoredText(r.get()) : bodies.get(i));
                } catch (RuntimeException e) {
                    throw new UpgradeFailure(plan.migration().name() + " threw " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
            }
            return out;
        }
        return Jdbc.call(dataSource, c -> Jdbc.contained(c, x -> sql(x, plan.chain(), ids, bodies)));
    }

    private static List<String> sql(Connection c, StepSql.Fragment chain, List<String> ids, List<String> bodies) throws SQLException {
        String sql = "select s" + chain.stages() + ".d::text from unnest(?::text[], ?::text[]) with ordinality as x(idtext, body, ord)"
                + " cross join lateral (select x.body::jsonb as d) s0 cross join lateral (select x.idtext as idtext) b"
                + chain.sql() + " order by x.ord";
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setArray(1, c.createArrayOf("text", ids.toArray()));
            p.setArray(2, c.createArrayOf("text", bodies.toArray()));
            int i = 3;
            for (Object v : chain.params()) {
                p.setString(i++, (String) v);
            }
            List<String> out = new ArrayList<>(bodies.size());
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(r.getString(1));
                }
            }
            return out;
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("22")) {
                throw new UpgradeFailure(e.getMessage());
            }
            throw e;
        }
    }

    private static MigrationEntity find(Connection c, String name) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select kind, definition::text, checksum from docshift.migration where name = ?")) {
            p.setString(1, name);
            try (ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    return null;
                }
                MigrationEntity e = new MigrationEntity();
                e.name = name;
                e.kind = r.getString(1);
                e.definition = r.getString(2);
                e.checksum = r.getString(3);
                return e;
            }
        }
    }

    private static String tableOf(MigrationEntity e) {
        try {
            return MAPPER.readTree(e.definition).path("table").asText();
        } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
