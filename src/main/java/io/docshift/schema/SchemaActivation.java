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
 * taking a revision {@link #mark()}. Activation then closes the write gate, re-checks only the documents
 * written since the mark, switches the active version, reconciles the index catalogue and announces the
 * version, all in one transaction: no write validated against the previous version can commit after it.
 */
@ApplicationScoped
public class SchemaActivation {

    static final int EXAMPLES = 10;

    /** What is activated, and what else the activation means for the caller. */
    public interface Target {

        /** The schema being activated. */
        Schema schema();

        /** The tables whose documents must fit it. */
        List<TableSchema> toCheck();

        /** The revision mark taken before the caller's full check. */
        long mark();

        /** Inside the closed gate, first: false leaves the version inactive, and what this did commits. */
        default boolean ready(Connection c) throws SQLException {
            return true;
        }

        /** Inside the closed gate: the version to activate, stored now if it is new. */
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
        OptionalInt version = QuarkusTransaction.requiringNew().call(() -> Jdbc.call(dataSource, c -> {
            gate.close(c, names(target.toCheck()));
            if (!target.ready(c)) {
                return OptionalInt.empty();
            }
            int v = target.version(c);
            refuseIfViolated(lateViolations(c, target));
            try (PreparedStatement p = c.prepareStatement("update docshift.schema_version set activated_at = now() where version = ?;"
                    + " update docshift.schema_state set active_version = ?")) {
                p.setInt(1, v);
                p.setInt(2, v);
                p.execute();
            }
            target.activated(c, v);
            indexes.reconcile(target.schema());
            notifications.publish(c, "schema", Integer.toString(v));
            return OptionalInt.of(v);
        }));
        if (version.isPresent()) {
            active.refresh();
            builder.kick();
        }
        return version;
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
