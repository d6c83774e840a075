package io.docshift.migration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.docshift.document.json.CanonicalJson;
import io.docshift.error.Conflict;
import io.docshift.migration.step.Step;
import io.docshift.migration.store.MigrationEntity;
import io.docshift.migration.store.Run;
import io.docshift.migration.store.RunRepository;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registered migrations: stores definitions with their checksums, refuses to change one that already
 * completed (checksum drift, as Flyway's validate), and parses stored definitions for the workers.
 */
@ApplicationScoped
public class MigrationRegistry {

    private static final Logger LOG = Logger.getLogger(MigrationRegistry.class);
    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;

    /** What registering a definition did. */
    public enum Outcome { CREATED, UPDATED, UNCHANGED }

    private final Map<String, MigrationDefinition> parsed = new ConcurrentHashMap<>();
    private final Map<String, JavaMigration> javaBeans = new HashMap<>();

    @Inject
    Instance<JavaMigration> beans;
    @Inject
    RunRepository runs;

    /** The Java migrations this build carries, by name. */
    public synchronized Map<String, JavaMigration> javaMigrations() {
        if (javaBeans.isEmpty()) {
            for (JavaMigration bean : beans) {
                javaBeans.put(bean.name(), bean);
            }
        }
        return javaBeans;
    }

    /**
     * What runs a definition's batches in the JVM: its Java bean (null if this build lacks it), or its declarative
     * steps when a CEL expression among them can only be evaluated there; null for a migration run in SQL.
     */
    public JavaMigration inJvm(MigrationDefinition def) {
        return switch (def.evaluation()) {
            case JAVA -> javaMigrations().get(def.name());
            case JVM -> new CelStepsMigration(def);
            case SQL -> null;
        };
    }

    /**
     * Stores {@code d}; 409 if a migration of that name completed with a different definition (checksum drift),
     * has a run in progress, or is run by an open schema transition: a definition never changes under a run.
     */
    public Outcome register(MigrationDefinition d) {
        return QuarkusTransaction.joiningExisting().call(() -> {
            MigrationEntity e = MigrationEntity.findById(d.name());
            if (e != null && e.checksum.equals(d.checksum())) {
                return Outcome.UNCHANGED;
            }
            if (e != null) {
                refuseChange(d, e);
            }
            boolean created = e == null;
            if (created) {
                e = new MigrationEntity();
                e.name = d.name();
            }
            e.kind = d.isJava() ? "java" : "declarative";
            e.definition = d.source().toString();
            e.checksum = d.checksum();
            e.updatedAt = OffsetDateTime.now();
            e.persist();
            return created ? Outcome.CREATED : Outcome.UPDATED;
        });
    }

    private void refuseChange(MigrationDefinition d, MigrationEntity stored) {
        Optional<Run> done = runs.lastComplete(d.name());
        if (done.isPresent()) {
            throw new Conflict("Migration '" + d.name() + "' already completed (run " + done.get().id() + ") with checksum "
                    + stored.checksum.substring(0, 12) + "; this definition has checksum " + d.checksum().substring(0, 12)
                    + ". A completed migration never changes: register the new definition under a new name.");
        }
        Optional<Run> running = runs.active(d.name());
        if (running.isPresent()) {
            throw new Conflict("Migration '" + d.name() + "' has run " + running.get().id() + " " + running.get().state().sql()
                    + "; its definition cannot change under it. Cancel the run first, or register the new definition under a new name.",
                    java.util.Map.of("runId", running.get().id(), "state", running.get().state().sql()));
        }
        if (runs.inOpenTransition(d.name())) {
            throw new Conflict("Migration '" + d.name() + "' is part of an open schema transition; its definition cannot change until the"
                    + " transition is active or rolled back. Register the new definition under a new name.");
        }
    }

    /** The parsed definition of a stored migration, or empty if this build cannot run it (a Java migration it lacks). */
    public Optional<MigrationDefinition> definition(MigrationEntity e) {
        if (e.kind.equals("java")) {
            JavaMigration bean = javaMigrations().get(e.name);
            if (bean == null) {
                return Optional.empty();
            }
            MigrationDefinition d = MigrationParser.java(bean);
            return d.checksum().equals(e.checksum) ? Optional.of(d) : Optional.empty();
        }
        MigrationDefinition cached = parsed.get(e.name);
        if (cached != null && cached.checksum().equals(e.checksum)) {
            return Optional.of(cached);
        }
        try {
            MigrationDefinition d = MigrationParser.parse(e.name, MAPPER.readTree(e.definition));
            parsed.put(e.name, d);
            return Optional.of(d);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("stored definition of " + e.name + " is not JSON", ex);
        }
    }

    /**
     * A series of declarative migrations of one table as the one migration a transition's sweep runs: their steps
     * in order, backed up when all of them keep backups, the slowest throttle, the first window; its checksum
     * covers every member's. A single migration is itself.
     */
    public static MigrationDefinition series(List<MigrationDefinition> members) {
        if (members.size() == 1) {
            return members.get(0);
        }
        List<Step> steps = new ArrayList<>();
        ArrayNode sources = MAPPER.createArrayNode();
        StringBuilder checksums = new StringBuilder();
        Double throttle = null;
        MigrationDefinition.Window window = null;
        boolean backup = true;
        for (MigrationDefinition m : members) {
            if (m.isJava()) {
                throw new IllegalArgumentException("a series is declarative only: " + m.name() + " is a Java migration");
            }
            steps.addAll(m.steps());
            sources.add(m.source());
            checksums.append(m.checksum()).append(',');
            backup &= m.backup();
            if (m.maxDocumentsPerSecond() != null) {
                throttle = throttle == null ? m.maxDocumentsPerSecond() : Math.min(throttle, m.maxDocumentsPerSecond());
            }
            window = window == null ? m.window() : window;
        }
        return new MigrationDefinition(members.get(0).name(), members.get(0).table(), null, List.copyOf(steps), null, backup, throttle, window,
                sources, CanonicalJson.sha256(TextNode.valueOf(checksums.toString())));
    }

    /** The definition a run applies: its migration's, or its series' (empty if this build cannot run one of them). */
    public Optional<MigrationDefinition> definition(Run run) {
        List<MigrationDefinition> members = new ArrayList<>();
        for (String name : run.migrations()) {
            MigrationEntity e = QuarkusTransaction.joiningExisting().call(() -> MigrationEntity.<MigrationEntity>findById(name));
            Optional<MigrationDefinition> d = e == null ? Optional.empty() : definition(e);
            if (d.isEmpty()) {
                return Optional.empty();
            }
            members.add(d.get());
        }
        return Optional.of(series(members));
    }

    /** Registers every Java migration bean of this build; a drifted one is reported, never fatal (F11, F12). */
    public void registerJavaBeans() {
        for (JavaMigration bean : javaMigrations().values()) {
            try {
                Outcome o = register(MigrationParser.java(bean));
                LOG.infof("Java migration %s: %s", bean.name(), o.name().toLowerCase(Locale.ROOT));
            } catch (Conflict c) {
                LOG.errorf("Java migration %s was not registered: %s", bean.name(), c.getMessage());
            }
        }
    }
}
