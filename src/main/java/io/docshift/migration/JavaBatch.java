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

/** One batch of a Java migration, inside the batch transaction that {@link RunExecutor} opened. */
final class JavaBatch {

    private JavaBatch() {
    }

    /** Bodies a Java migration changed, with the revision each was read at. */
    private record Changes(List<UUID> ids, List<Long> revisions, List<String> bodies) {
    }

    /**
     * Runs a Java migration over a slice. Bodies are read without locks and written back only where the row
     * still has the revision that was read; a document a client wrote in between is read again under a row
     * lock and migrated from its new content, so no acknowledged write is ever overwritten.
     */
    static int apply(Connection c, DocTable docTable, JavaMigration java, JsonNode args, BatchSql.Slice slice, RunKind kind) throws SQLException {
        String table = docTable.sqlName();
        // a sweep takes every document below its target version, changed or not, to stamp the version
        String below = kind.sweep() ? " and schema_version < " + kind.targetVersion() : "";
        Changes changes;
        try (PreparedStatement p = c.prepareStatement("select id, revision, data::text from " + table + " where id > ? and id <= ?" + below + " order by id")) {
            p.setObject(1, slice.after() == null ? new UUID(0, 0) : slice.after());
            p.setObject(2, slice.last());
            changes = migrateRows(p, java, args, kind.sweep());
        }
        Set<UUID> written = write(c, table, changes, kind);
        List<UUID> raced = changes.ids().stream().filter(id -> !written.contains(id)).toList();
        if (raced.isEmpty()) {
            return written.size();
        }
        try (PreparedStatement p = c.prepareStatement("select id, revision, data::text from " + table + " where id = any(?::uuid[])" + below + " order by id for update")) {
            p.setArray(1, c.createArrayOf("uuid", raced.toArray()));
            return written.size() + write(c, table, migrateRows(p, java, args, kind.sweep()), kind).size();
        }
    }

    private static Changes migrateRows(PreparedStatement p, JavaMigration java, JsonNode args, boolean keepUnchanged) throws SQLException {
        Changes out = new Changes(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        try (ResultSet r = p.executeQuery()) {
            while (r.next()) {
                UUID id = r.getObject(1, UUID.class);
                String idText = DocumentId.fromUuid(id).toString();
                Optional<ObjectNode> result;
                try {
                    result = java.migrate(idText, DocumentJson.fromStoredText(r.getString(3)), args);
                } catch (RuntimeException e) {
                    throw new DocumentFailure(idText, java.name() + " threw " + e.getClass().getSimpleName() + ": " + e.getMessage());
                }
                if (result != null && result.isPresent() || keepUnchanged) {
                    out.ids().add(id);
                    out.revisions().add(r.getLong(2));
                    out.bodies().add(result != null && result.isPresent() ? DocumentJson.toStoredText(result.get()) : r.getString(3));
                }
            }
        }
        return out;
    }

    /**
     * Writes changed bodies where the revision is still the one read; returns the ids written. With a backup,
     * the body each row had is saved in the same statement (a WITH sees the rows as they were before the update).
     */
    private static Set<UUID> write(Connection c, String table, Changes changes, RunKind kind) throws SQLException {
        Set<UUID> written = new HashSet<>();
        if (changes.ids().isEmpty()) {
            return written;
        }
        String update = "update " + table + " u set data = x.d, revision = nextval('docshift.write_seq')"
                + (kind.sweep() ? ", schema_version = " + kind.targetVersion() : "")
                + " from unnest(?::uuid[], ?::bigint[], ?::jsonb[]) as x(id, rev, d)"
                + " where u.id = x.id and u.id = any(?::uuid[]) and u.revision = x.rev"
                + (kind.sweep() ? " and u.schema_version < " + kind.targetVersion() : " and u.data is distinct from x.d") + " returning u.id, u.revision";
        String sql = !kind.backup() ? update
                : "with up as (" + update + "), bk as (insert into docshift.migration_backup (run_id, doc_id, data, schema_version, revision)"
                + " select " + kind.runId() + ", o.id, o.data, o.schema_version, up.revision from up join " + table + " o on o.id = up.id)"
                + " select id from up";
        try (PreparedStatement p = c.prepareStatement(sql)) {
            Object[] ids = changes.ids().toArray();
            p.setArray(1, c.createArrayOf("uuid", ids));
            p.setArray(2, c.createArrayOf("bigint", changes.revisions().toArray()));
            p.setArray(3, c.createArrayOf("text", changes.bodies().toArray()));
            p.setArray(4, c.createArrayOf("uuid", ids));
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    written.add(r.getObject(1, UUID.class));
                }
            }
        }
        return written;
    }
}
