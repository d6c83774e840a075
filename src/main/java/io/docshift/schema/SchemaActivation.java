package io.docshift.schema;

import io.docshift.coordination.PgNotifications;
import io.docshift.db.Jdbc;
import io.docshift.document.store.DocumentStore;
import io.docshift.document.store.TableRegistry;
import io.docshift.error.Unprocessable;
import io.docshift.error.Violation;
import io.docshift.schema.index.IndexBuilder;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;

/**
 * Makes a schema version active: the one algorithm behind a plain push and a transition's verification. The
 * caller has checked every document of the tables whose validator changes (without blocking writes) after
 * taking a revision {@link #mark()}. Activation then, in one transaction, stores the version and reconciles the
 * index catalogue, and only then closes the write gates, re-checks the documents written since the mark,
 * switches the active version and announces it: no write validated against the previous version can commit
 * after it, and writers wait only for the re-check and the switch.
 */
@ApplicationScoped
public class SchemaActivation {

    static final int EXAMPLES = 10;
    private static final Logger LOG = Logger.getLogger(SchemaActivation.class);

    /** What is activated, and what else the activation means for the caller. */
    public interface Target {

        /** The schema being activated. */
        Schema schema();

        /** The tables whose documents must fit it. */
        List<TableSchema> toCheck();

        /** The revision mark taken before the caller's full check. */
        long mark();

        /** Inside the closed gate, first, reading only: false leaves the version inactive, and nothing of the activation commits. */
        default boolean ready(Connection c) throws SQLException {
            return true;
        }

        /** After {@link #ready} declined, in a transaction of its own: what the decline means (a sweep runs again). */
        default void notReady(Connection c) throws SQLException {
        }

        /** In the activation's transaction, before the gate closes: the version to activate, stored now if it is new. */
        int version(Connection c) throws SQLException;

        /** Inside the closed gate, after the switch: what the activation also means (a transition ends). */
        default void activated(Connection c, int version) throws SQLException {
        }
    }

    @Inject
    WriteGate gate;
    @Inject
    SchemaChecker checker;
    @Inject
    TableRegistry tables;
    @Inject
    IndexActivation indexes;
    @Inject
    IndexBuilder builder;
    @Inject
    PgNotifications notifications;
    @Inject
    ActiveSchema active;
    @Inject
    DataSource dataSource;

    /**
     * A revision above every one taken so far, read with the gates of {@code toCheck} closed for an instant (the
     * writes to them in flight commit first): every document written to them after it has a higher revision.
     */
    public long mark(List<TableSchema> toCheck) {
        return QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> {
            gate.close(c, names(toCheck));
            return DocumentStore.revisionMark(c);
        }));
    }

    private static List<String> names(List<TableSchema> tables) {
        return tables.stream().map(TableSchema::name).toList();
    }

    /**
     * Activates {@code target}; empty when {@link Target#ready} declined. A 422 problem (nothing changed) when
     * documents written since the mark violate it.
     */
    public OptionalInt activate(Target target) {
        Activated done;
        try {
            done = QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> {
                // The catalogue first, with the gates still open: the stored version and the index rows become
                // visible only at commit, and their first use in a pod costs hundreds of milliseconds (Hibernate
                // compiles its queries) that writers would otherwise spend waiting at the gate. No gate holder waits
                // for these rows: their one other writer under a gate, a rollback's revert, shares the push lock with
                // pushes and rolls back only a transition already active, never one being activated.
                int v = target.version(c);
                indexes.reconcile(target.schema());
                long closed = System.nanoTime();
                gate.close(c, names(target.toCheck()));
                if (!target.ready(c)) {
                    throw new NotReady();
                }
                refuseIfViolated(lateViolations(c, target));
                try (PreparedStatement p = c.prepareStatement("update docshift.schema_version set activated_at = now() where version = ?;"
                        + " update docshift.schema_state set active_version = ?")) {
                    p.setInt(1, v);
                    p.setInt(2, v);
                    p.execute();
                }
                target.activated(c, v);
                notifications.publish(c, "schema", Integer.toString(v));
                return new Activated(v, closed);
            }));
        } catch (NotReady declined) {
            QuarkusTransaction.requiringNew().run(() -> Jdbc.call(dataSource, c -> {
                target.notReady(c);
                return null;
            }));
            return OptionalInt.empty();
        }
        LOG.infof("Schema version %d is active; the write gates of %s were closed for %d ms", done.version(), names(target.toCheck()),
                (System.nanoTime() - done.gatesClosedAt()) / 1_000_000);
        active.refresh();
        builder.kick();
        return OptionalInt.of(done.version());
    }

    /** The version an activation switched to, and when ({@link System#nanoTime}) it closed the gates. */
    private record Activated(int version, long gatesClosedAt) {
    }

    /** {@link Target#ready} declined: the activation's transaction rolls back. */
    private static final class NotReady extends RuntimeException {
        NotReady() {
            super(null, null, false, false);
        }
    }

    /**
     * Makes {@code version} (0: no schema) the active one again, in the transaction open on {@code c}, whose caller
     * has closed the write gates of {@link #changedTables}: a transition rolled back after it activated its
     * target. Its indexes come back.
     */
    public void revert(Connection c, int version, Schema schema) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("update docshift.schema_state set active_version = ?")) {
            p.setObject(1, version == 0 ? null : version);
            p.executeUpdate();
        }
        if (schema != null) {
            indexes.reconcile(schema);
        }
        notifications.publish(c, "schema", Integer.toString(version));
    }

    /** After {@link #revert} committed: this pod serves the version at once, and builds its indexes. */
    public void reverted() {
        active.refresh();
        builder.kick();
    }

    private List<TableReport> lateViolations(Connection c, Target target) throws SQLException {
        List<TableReport> late = new ArrayList<>();
        for (TableSchema t : target.toCheck()) {
            var table = tables.find(t.name());
            if (table.isPresent()) {
                TableReport report = checker.check(c, table.get(), t.document(), target.mark(), EXAMPLES);
                if (report.violating() > 0) {
                    late.add(report);
                }
            }
        }
        return late;
    }

    /** 422 with counts and examples when any table has violating documents; nothing was changed. */
    public static void refuseIfViolated(List<TableReport> reports) {
        if (reports.isEmpty()) {
            return;
        }
        List<Violation> examples = new ArrayList<>();
        long total = 0;
        for (TableReport r : reports) {
            total += r.violating();
            r.examples().forEach(e -> examples.add(new Violation("/" + r.table() + "/" + e.id() + e.path(), e.message())));
        }
        throw new Unprocessable(total + " existing document(s) violate the new schema; nothing was changed. "
                + "Migrate them first, or make the change optional.", examples, reports);
    }

    /** The tables whose validators differ between two schemas (either may be null: no schema). */
    public static Set<String> changedTables(Schema a, Schema b) {
        Set<String> names = new TreeSet<>();
        for (Schema s : new Schema[]{a, b}) {
            if (s != null) {
                names.addAll(s.tables().keySet());
            }
        }
        names.removeIf(n -> {
            TableSchema x = a == null ? null : a.table(n);
            TableSchema y = b == null ? null : b.table(n);
            return x != null && y != null && x.document().equals(y.document()) && a.validation() == b.validation();
        });
        return names;
    }

    /** Tables whose documents the new schema might reject: those whose validator is new or different, when enforced. */
    public static List<TableSchema> tablesToCheck(Schema before, Schema after) {
        if (!after.validation()) {
            return List.of();
        }
        boolean wasEnforced = before != null && before.validation();
        return after.tables().values().stream()
                .filter(t -> !wasEnforced || before.table(t.name()) == null || !before.table(t.name()).document().equals(t.document()))
                .toList();
    }

    /** Checks every document of the tables in {@code toCheck} against their validators, returning the tables that have violations. */
    public List<TableReport> fullCheck(List<TableSchema> toCheck) {
        List<TableReport> reports = new ArrayList<>();
        for (TableSchema t : toCheck) {
            tables.find(t.name()).ifPresent(table -> {
                TableReport report = checker.check(table, t.document(), EXAMPLES);
                if (report.violating() > 0) {
                    reports.add(report);
                }
            });
        }
        return reports;
    }
}
