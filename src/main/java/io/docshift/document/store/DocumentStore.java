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
 * every value is a bound parameter. Callers own the transaction; the writes that take a {@link GateCheck}
 * are meant for autocommit, where the statement is the transaction and one round trip.
 */
@ApplicationScoped
public class DocumentStore {

    /** Every write takes a revision from one sequence, so "written since" is a number comparison. */
    static final String NEXT_REVISION = "nextval('docshift.write_seq')";

    @Inject
    DataSource dataSource;
    @Inject
    io.docshift.db.StorageConfig storage;

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

    /**
     * Inserts a document in one statement that also passes the table's write gate, in autocommit (one round
     * trip); empty, with nothing written, when the gate shows another version or transition than {@code gate}
     * expects.
     */
    public Optional<StoredDocument> insert(DocTable table, DocumentId id, String body, int schemaVersion, GateCheck gate) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("insert into " + table.sqlName()
                    + " (id, creation_time, schema_version, revision, data) select ?, ?, ?, " + NEXT_REVISION + ", ?::jsonb"
                    + " from " + GateCheck.FROM + " where " + GateCheck.UNCHANGED + " returning data::text, revision")) {
                p.setObject(1, id.toUuid());
                p.setLong(2, id.creationTime());
                p.setInt(3, schemaVersion);
                p.setString(4, body);
                gate.bindUnchanged(p, gate.bindFrom(p, 5));
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(new StoredDocument(id, r.getString(1), schemaVersion, r.getLong(2))) : Optional.empty();
                }
            }
        });
    }

    /** {@link #insertAll} in one statement with the gate, as {@link #insert(DocTable, DocumentId, String, int, GateCheck)}: false when nothing was written. */
    public boolean insertAll(DocTable table, List<DocumentId> ids, List<String> bodies, List<Integer> schemaVersions, GateCheck gate) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("insert into " + table.sqlName()
                    + " (id, creation_time, schema_version, revision, data)"
                    + " select i, t, v, " + NEXT_REVISION + ", d::jsonb from " + GateCheck.FROM
                    + " cross join unnest(?::uuid[], ?::bigint[], ?::text[], ?::int[]) as u(i, t, d, v) where " + GateCheck.UNCHANGED)) {
                int i = gate.bindFrom(p, 1);
                i = bindArrays(c, p, i, ids, bodies, schemaVersions);
                gate.bindUnchanged(p, i);
                return p.executeUpdate() > 0;
            }
        });
    }

    private static int bindArrays(Connection c, PreparedStatement p, int i, List<DocumentId> ids, List<String> bodies, List<Integer> versions)
            throws SQLException {
        UUID[] uuids = new UUID[ids.size()];
        Long[] times = new Long[ids.size()];
        for (int k = 0; k < uuids.length; k++) {
            uuids[k] = ids.get(k).toUuid();
            times[k] = ids.get(k).creationTime();
        }
        p.setArray(i, c.createArrayOf("uuid", uuids));
        p.setArray(i + 1, c.createArrayOf("bigint", times));
        p.setArray(i + 2, c.createArrayOf("text", bodies.toArray()));
        p.setArray(i + 3, c.createArrayOf("int4", versions.toArray()));
        return i + 4;
    }

    /**
     * {@link #replace} in one statement with the gate: empty, with nothing written, when the document is gone,
     * has another revision than {@code ifRevision} (when given), or the gate shows another version or transition.
     */
    public Optional<StoredDocument> replace(DocTable table, DocumentId id, String body, int schemaVersion, Long ifRevision, GateCheck gate) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement(replaceWhere(table) + " id = ?"
                    + (ifRevision == null ? "" : " and revision = ?")
                    + " and exists (select 1 from " + GateCheck.FROM + " where " + GateCheck.UNCHANGED + ") returning data::text, revision")) {
                p.setString(1, body);
                p.setInt(2, schemaVersion);
                p.setObject(3, id.toUuid());
                int i = 4;
                if (ifRevision != null) {
                    p.setLong(i++, ifRevision);
                }
                gate.bindUnchanged(p, gate.bindFrom(p, i));
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(new StoredDocument(id, r.getString(1), schemaVersion, r.getLong(2))) : Optional.empty();
                }
            }
        });
    }

    /**
     * A replacement's statement up to its conditions: body and version bound first, then a new revision. Citus
     * refuses a volatile function in an UPDATE of a distributed table, so there the coordinator takes the revision
     * once, in a CTE, and the update reads it.
     */
    private String replaceWhere(DocTable table) {
        return storage.citus()
                ? "with r as (select " + NEXT_REVISION + " as v) update " + table.sqlName() + " set data = ?::jsonb, schema_version = ?, revision = r.v from r where"
                : "update " + table.sqlName() + " set data = ?::jsonb, schema_version = ?, revision = " + NEXT_REVISION + " where";
    }

    /** Inserts many documents with one statement: the arrays are unnested server-side. */
    public void insertAll(DocTable table, List<DocumentId> ids, List<String> bodies, List<Integer> schemaVersions) {
        Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("insert into " + table.sqlName()
                    + " (id, creation_time, schema_version, revision, data)"
                    + " select i, t, v, " + NEXT_REVISION + ", d::jsonb from unnest(?::uuid[], ?::bigint[], ?::text[], ?::int[]) as u(i, t, d, v)")) {
                bindArrays(c, p, 1, ids, bodies, schemaVersions);
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
            try (PreparedStatement p = c.prepareStatement(replaceWhere(table) + " id = ?"
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
