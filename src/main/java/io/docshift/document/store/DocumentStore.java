package io.docshift.document.store;

import io.docshift.db.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * All SQL on document tables, in plain JDBC. Identifiers come from {@link DocTable#sqlName()} only;
 * every value is a bound parameter. Callers own the transaction.
 */
@ApplicationScoped
public class DocumentStore {

    /** Every write takes a revision from one sequence, so "written since" is a number comparison. */
    static final String NEXT_REVISION = "nextval('docshift.write_seq')";

    @Inject
    DataSource dataSource;

    /**
     * A revision above every one taken so far: with the write gate closed, every document written from now on
     * gets a higher one, so "written since" is {@code revision > mark}.
     */
    public static long revisionMark(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select " + NEXT_REVISION); ResultSet r = p.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }

    /** Whether any document of {@code table} is below schema {@code version} (not yet brought to it). */
    public static boolean anyBelowVersion(Connection c, DocTable table, int version) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select exists (select 1 from " + table.sqlName() + " where schema_version < ?)")) {
            p.setInt(1, version);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getBoolean(1);
            }
        }
    }

    public StoredDocument insert(DocTable table, DocumentId id, String body, int schemaVersion) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("insert into " + table.sqlName()
                    + " (id, creation_time, schema_version, revision, data) values (?, ?, ?, " + NEXT_REVISION + ", ?::jsonb)"
                    + " returning data::text, revision")) {
                p.setObject(1, id.toUuid());
                p.setLong(2, id.creationTime());
                p.setInt(3, schemaVersion);
                p.setString(4, body);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return new StoredDocument(id, r.getString(1), schemaVersion, r.getLong(2));
                }
            }
        });
    }

    /** Inserts many documents with one statement: the arrays are unnested server-side. */
    public void insertAll(DocTable table, List<DocumentId> ids, List<String> bodies, List<Integer> schemaVersions) {
        Jdbc.call(dataSource, c -> {
            UUID[] uuids = new UUID[ids.size()];
            Long[] times = new Long[ids.size()];
            for (int i = 0; i < uuids.length; i++) {
                uuids[i] = ids.get(i).toUuid();
                times[i] = ids.get(i).creationTime();
            }
            try (PreparedStatement p = c.prepareStatement("insert into " + table.sqlName()
                    + " (id, creation_time, schema_version, revision, data)"
                    + " select i, t, v, " + NEXT_REVISION + ", d::jsonb from unnest(?::uuid[], ?::bigint[], ?::text[], ?::int[]) as u(i, t, d, v)")) {
                p.setArray(1, c.createArrayOf("uuid", uuids));
                p.setArray(2, c.createArrayOf("bigint", times));
                p.setArray(3, c.createArrayOf("text", bodies.toArray()));
                p.setArray(4, c.createArrayOf("int4", schemaVersions.toArray()));
                return p.executeUpdate();
            }
        });
    }

    public Optional<StoredDocument> find(DocTable table, DocumentId id) {
        return select(table, id, "");
    }

    /** Reads and row-locks a document for a read-modify-write in the caller's transaction. */
    public Optional<StoredDocument> findForUpdate(DocTable table, DocumentId id) {
        return select(table, id, " for update");
    }

    private Optional<StoredDocument> select(DocTable table, DocumentId id, String lock) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("select data::text, schema_version, revision from " + table.sqlName() + " where id = ?" + lock)) {
                p.setObject(1, id.toUuid());
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(new StoredDocument(id, r.getString(1), r.getInt(2), r.getLong(3))) : Optional.empty();
                }
            }
        });
    }

    /**
     * Replaces a body and takes a new revision, if the document exists and (when {@code ifRevision} is not null)
     * still has that revision; empty otherwise, with nothing written.
     */
    public Optional<StoredDocument> replace(DocTable table, DocumentId id, String body, int schemaVersion, Long ifRevision) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("update " + table.sqlName()
                    + " set data = ?::jsonb, schema_version = ?, revision = " + NEXT_REVISION + " where id = ?"
                    + (ifRevision == null ? "" : " and revision = ?") + " returning data::text, revision")) {
                p.setString(1, body);
                p.setInt(2, schemaVersion);
                p.setObject(3, id.toUuid());
                if (ifRevision != null) {
                    p.setLong(4, ifRevision);
                }
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(new StoredDocument(id, r.getString(1), schemaVersion, r.getLong(2))) : Optional.empty();
                }
            }
        });
    }

    /** Deletes a document, if it exists and (when {@code ifRevision} is not null) still has that revision. */
    public boolean delete(DocTable table, DocumentId id, Long ifRevision) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("delete from " + table.sqlName() + " where id = ?" + (ifRevision == null ? "" : " and revision = ?"))) {
                p.setObject(1, id.toUuid());
                if (ifRevision != null) {
                    p.setLong(2, ifRevision);
                }
                return p.executeUpdate() == 1;
            }
        });
    }

    /**
     * Up to {@code limit} documents strictly after {@code after} (from the start when null) in id order, which
     * is creation-time order: keyset pagination on the primary key, stable under inserts and deletes.
     */
    public List<StoredDocument> page(DocTable table, DocumentId after, boolean ascending, int limit) {
        String sql = "select id, data::text, schema_version, revision from " + table.sqlName()
                + (after == null ? "" : ascending ? " where id > ?" : " where id < ?")
                + " order by id " + (ascending ? "asc" : "desc") + " limit ?";
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement(sql)) {
                int i = 1;
                if (after != null) {
                    p.setObject(i++, after.toUuid());
                }
                p.setInt(i, limit);
                List<StoredDocument> out = new ArrayList<>(Math.min(limit, 1024));
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(new StoredDocument(DocumentId.fromUuid(r.getObject(1, UUID.class)), r.getString(2), r.getInt(3), r.getLong(4)));
                    }
                }
                return out;
            }
        });
    }
}
