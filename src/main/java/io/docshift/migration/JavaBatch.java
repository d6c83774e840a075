package io.docshift.migration;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.docshift.document.json.DocumentJson;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.DocumentId;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The two halves of a Java migration's batch. {@link #prepare} reads a keyset slice without locks and runs
 * the migration over it (it may run ahead, on another connection, while the previous batch is written);
 * {@link #write} stores the results inside the batch transaction that {@link RunExecutor} opened, only where
 * a row still has the revision that was read. A document a client wrote in between is read again under a
 * row lock and migrated from its new content, so no acknowledged write is ever overwritten.
 */
final class JavaBatch {

    private JavaBatch() {
    }

    /** Bodies a Java migration changed, with the revision each was read at. */
    record Changes(List<UUID> ids, List<Long> revisions, List<String> bodies, Set<UUID> unchanged) {
        static Changes empty() {
            return new Changes(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new HashSet<>());
        }
    }

    /** A slice read and migrated, ready to be written. */
    record Prepared(BatchSql.Slice slice, Changes changes) {
    }

    /**
     * Reads the next slice of at most {@code limit} documents after {@code after} (from the start when null)
     * and migrates them. The slice covers every document in its key range; a sweep migrates only those below
     * its target version (and keeps the unchanged ones too, to stamp the version).
     */
    static Prepared prepare(Connection c, DocTable table, JavaMigration java, JsonNode args, UUID after, int limit, RunKind kind) throws SQLException {
        String due = kind.sweep() ? "schema_version < " + kind.targetVersion() : "true";
        UUID from = after == null ? new UUID(0, 0) : after;
        Changes changes = Changes.empty();
        UUID last = null;
        int size = 0;
        // the body only where it is due: a sweep's later passes skip most documents
        try (PreparedStatement p = c.prepareStatement("select id, revision, " + due + ", case when " + due + " then data::text end from " + table.sqlName()
                + " where id > ? order by id limit ?")) {
            p.setObject(1, from);
            p.setInt(2, limit);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    last = r.getObject(1, UUID.class);
                    size++;
                    if (r.getBoolean(3)) {
                        migrate(changes, java, args, kind.sweep(), last, r.getLong(2), r.getString(4));
                    }
                }
            }
        }
        return new Prepared(new BatchSql.Slice(after, last, size), changes);
    }

    /**
     * Writes a prepared slice, each body through {@code check} (when there is one) first; returns how many documents
     * changed, and how many a sweep only stamped with its target version.
     */
    static BatchSql.Written write(Connection c, DocTable table, JavaMigration java, JsonNode args, Prepared prepared, RunKind kind, BodyCheck check,
                                  boolean citus) throws SQLException {
        Changes changes = prepared.changes();
        check(changes, check);
        // on Citus the coordinator takes the batch's one revision (an UPDATE of a distributed table calls no volatile function)
        Long revision = citus ? io.docshift.document.store.DocumentStore.revisionMark(c) : null;
        Set<UUID> written = write(c, table.sqlName(), changes, kind, prepared.slice(), revision);
        List<UUID> raced = changes.ids().stream().filter(id -> !written.contains(id)).toList();
        if (raced.isEmpty()) {
            return counted(written, changes);
        }
        String below = kind.sweep() ? " and schema_version < " + kind.targetVersion() : "";
        Changes again = Changes.empty();
        if (citus) {
            // Citus runs no FOR UPDATE over many shards; an update that changes nothing takes the same row locks
            try (PreparedStatement p = c.prepareStatement("update " + table.sqlName() + " set revision = revision where id = any(?::uuid[])")) {
                p.setArray(1, c.createArrayOf("uuid", raced.toArray()));
                p.executeUpdate();
            }
        }
        try (PreparedStatement p = c.prepareStatement("select id, revision, data::text from " + table.sqlName()
                + " where id = any(?::uuid[])" + below + " order by id" + (citus ? "" : " for update"))) {
            p.setArray(1, c.createArrayOf("uuid", raced.toArray()));
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    migrate(again, java, args, kind.sweep(), r.getObject(1, UUID.class), r.getLong(2), r.getString(3));
                }
            }
        }
        check(again, check);
        BatchSql.Written first = counted(written, changes);
        BatchSql.Written second = counted(write(c, table.sqlName(), again, kind, prepared.slice(), revision), again);
        return new BatchSql.Written(first.changed() + second.changed(), first.stamped() + second.stamped());
    }

    private static BatchSql.Written counted(Set<UUID> written, Changes changes) {
        int stamped = (int) written.stream().filter(changes.unchanged()::contains).count();
        return new BatchSql.Written(written.size() - stamped, stamped);
    }

    private static void check(Changes changes, BodyCheck check) {
        if (check != null) {
            for (int i = 0; i < changes.ids().size(); i++) {
                check.check(changes.ids().get(i), changes.bodies().get(i));
            }
        }
    }

    /**
     * Adds one document's new body to {@code out} when the migration changed it (or, with {@code keepUnchanged},
     * always). A body returned equal to the stored one is not a change: it is compared with a second parse of
     * the stored text, since migrations may edit the body they are given in place.
     */
    private static void migrate(Changes out, JavaMigration java, JsonNode args, boolean keepUnchanged, UUID id, long revision, String text) {
        String idText = DocumentId.fromUuid(id).toString();
        Optional<ObjectNode> result;
        try {
            result = java.migrate(idText, DocumentJson.fromStoredText(text), args);
        } catch (io.docshift.migration.step.StepJvm.Failure e) {
            throw new DocumentFailure(idText, e.getMessage());
        } catch (RuntimeException e) {
            throw new DocumentFailure(idText, java.name() + " threw " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        boolean changed = result != null && result.isPresent() && !result.get().equals(DocumentJson.fromStoredText(text));
        if (changed || keepUnchanged) {
            if (!changed) {
                out.unchanged().add(id);
            }
            out.ids().add(id);
            out.revisions().add(revision);
            out.bodies().add(changed ? DocumentJson.toStoredText(result.get()) : text);
        }
    }

    /**
     * Writes bodies where the revision is still the one read; returns the ids written. The bodies travel as one
     * JSON array zipped with the ids and revisions (no per-element array quoting on either side), and the
     * slice's key range bounds the update, so no plan can walk the whole table. With a backup, the body each
     * row had is saved in the same statement (a WITH sees the rows as they were before the update).
     */
    private static Set<UUID> write(Connection c, String table, Changes changes, RunKind kind, BatchSql.Slice slice, Long revision) throws SQLException {
        Set<UUID> written = new HashSet<>();
        if (changes.ids().isEmpty()) {
            return written;
        }
        if (revision != null) {
            return writeDistributed(c, table, changes, kind, slice, revision);
        }
        String update = "update " + table + " u set data = x.d, revision = nextval('docshift.write_seq')"
                + (kind.sweep() ? ", schema_version = " + kind.targetVersion() : "")
                + " from rows from (unnest(?::uuid[]), unnest(?::bigint[]), jsonb_array_elements(?::jsonb)) as x(id, rev, d)"
                + " where u.id = x.id and u.revision = x.rev and u.id > ? and u.id <= ?"
                + (kind.sweep() ? " and u.schema_version < " + kind.targetVersion() : "") + " returning u.id, u.revision";
        String sql = !kind.backup() ? update
                : "with up as (" + update + "), bk as (insert into docshift.migration_backup (run_id, doc_id, data, schema_version, revision)"
                + " select " + kind.runId() + ", o.id, o.data, o.schema_version, up.revision from up join " + table + " o on o.id = up.id)"
                + " select id from up";
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setArray(1, c.createArrayOf("uuid", changes.ids().toArray()));
            p.setArray(2, c.createArrayOf("bigint", changes.revisions().toArray()));
            p.setString(3, "[" + String.join(",", changes.bodies()) + "]");
            p.setObject(4, slice.after() == null ? new UUID(0, 0) : slice.after());
            p.setObject(5, slice.last());
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    written.add(r.getObject(1, UUID.class));
                }
            }
        }
        return written;
    }

    /**
     * {@link #write} on a Citus distributed table, where a data-modifying CTE runs before the rest of its statement:
     * with a backup, the slice is locked first (an update that changes nothing) and the bodies before are saved
     * in a statement of their own; then the update, with the batch's one {@code revision}.
     */
    private static Set<UUID> writeDistributed(Connection c, String table, Changes changes, RunKind kind, BatchSql.Slice slice, long revision)
            throws SQLException {
        String due = kind.sweep() ? " and u.schema_version < " + kind.targetVersion() : "";
        if (kind.backup()) {
            try (PreparedStatement p = c.prepareStatement("update " + table + " set revision = revision where id > ? and id <= ?")) {
                range(p, 1, slice);
                p.executeUpdate();
            }
            try (PreparedStatement p = c.prepareStatement("insert into docshift.migration_backup (run_id, doc_id, data, schema_version, revision)"
                    + " select " + kind.runId() + ", u.id, u.data, u.schema_version, ? from " + table + " u join rows from (unnest(?::uuid[]),"
                    + " unnest(?::bigint[])) as x(id, rev) on u.id = x.id and u.revision = x.rev where u.id > ? and u.id <= ?" + due)) {
                p.setLong(1, revision);
                p.setArray(2, c.createArrayOf("uuid", changes.ids().toArray()));
                p.setArray(3, c.createArrayOf("bigint", changes.revisions().toArray()));
                range(p, 4, slice);
                p.executeUpdate();
            }
        }
        Set<UUID> written = new HashSet<>();
        try (PreparedStatement p = c.prepareStatement("update " + table + " u set data = x.d, revision = ?"
                + (kind.sweep() ? ", schema_version = " + kind.targetVersion() : "")
                + " from rows from (unnest(?::uuid[]), unnest(?::bigint[]), jsonb_array_elements(?::jsonb)) as x(id, rev, d)"
                + " where u.id = x.id and u.revision = x.rev and u.id > ? and u.id <= ?" + due + " returning u.id")) {
            p.setLong(1, revision);
            p.setArray(2, c.createArrayOf("uuid", changes.ids().toArray()));
            p.setArray(3, c.createArrayOf("bigint", changes.revisions().toArray()));
            p.setString(4, "[" + String.join(",", changes.bodies()) + "]");
            range(p, 5, slice);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    written.add(r.getObject(1, UUID.class));
                }
            }
        }
        return written;
    }

    private static void range(PreparedStatement p, int i, BatchSql.Slice slice) throws SQLException {
        p.setObject(i, slice.after() == null ? new UUID(0, 0) : slice.after());
        p.setObject(i + 1, slice.last());
    }
}
