package io.docshift.transfer.store;

import io.docshift.db.Jdbc;
import io.docshift.document.store.DocTable;
import io.docshift.error.Conflict;
import io.docshift.error.NotFound;
import io.docshift.error.Violation;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * All SQL on {@code docshift.import}, its violations and its staging tables ({@code docshift_data.import_<id>}).
 * State changes are guarded ({@code open} to {@code committed} or {@code aborted}), so a chunk can never be
 * added to, nor a commit repeated on, an import that already ended.
 */
@ApplicationScoped
public class ImportRepository {

    /** At most this many refused lines are kept with their reasons; all are counted. */
    public static final int KEPT_VIOLATIONS = 1000;

    /** An import as stored. */
    /** An import as stored; {@code tableNumber} is the number its ids embed (the table's, or the one it reserved). */
    public record Import(long id, String table, int tableNumber, String mode, String state, int schemaVersion, long lines, long violating, long reassigned) {

        public boolean open() {
            return state.equals("open");
        }
    }

    /** One staged document: its id, the line it came from, and what to store. */
    public record Staged(UUID id, long line, long creationTime, int schemaVersion, String body) {
    }

    @Inject
    DataSource dataSource;

    /** Opens an import and its staging table. */
    public Import open(String table, int tableNumber, String mode, int schemaVersion) {
        return Jdbc.call(dataSource, c -> {
            long id;
            try (PreparedStatement p = c.prepareStatement("insert into docshift.import (table_name, table_number, mode, state, schema_version) values (?, ?, ?, 'open', ?) returning id")) {
                p.setString(1, table);
                p.setInt(2, tableNumber);
                p.setString(3, mode);
                p.setInt(4, schemaVersion);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    id = r.getLong(1);
                }
            }
            try (Statement s = c.createStatement()) {
                s.execute("create unlogged table " + staging(id) + " (id uuid primary key, line bigint not null, creation_time bigint not null,"
                        + " schema_version int not null, data jsonb not null)");
            }
            return new Import(id, table, tableNumber, mode, "open", schemaVersion, 0, 0, 0);
        });
    }

    public Import get(long id) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("select id, table_name, coalesce(table_number, 0), mode, state, schema_version, lines, violating, reassigned"
                    + " from docshift.import where id = ?")) {
                p.setLong(1, id);
                try (ResultSet r = p.executeQuery()) {
                    if (!r.next()) {
                        throw new NotFound("No import " + id + ".");
                    }
                    return new Import(r.getLong(1), r.getString(2), r.getInt(3), r.getString(4), r.getString(5), r.getInt(6), r.getLong(7), r.getLong(8), r.getLong(9));
                }
            }
        });
    }

    /**
     * Stages a chunk of documents (none when the import is already doomed) and records its refused lines,
     * in one transaction on {@code c}; a document whose id another line already has is refused too. Returns
     * the import after the chunk; 409 if it is no longer open. The first chunk sets the schema version the import
     * is checked against ({@code checkedAgainst}): an import opened before a schema push (a restore opens its tables
     * first, so they keep their numbers) is checked against the schema its lines met.
     */
    public Import addChunk(Connection c, long id, long lines, List<Staged> docs, List<LineViolation> refused, long reassigned,
                           int checkedAgainst) throws SQLException {
        List<LineViolation> all = new ArrayList<>(refused);
        if (!docs.isEmpty()) {
            all.addAll(stage(c, id, docs));
        }
        Set<Long> badLines = new HashSet<>();
        all.forEach(v -> badLines.add(v.line()));
        try (PreparedStatement p = c.prepareStatement("update docshift.import set lines = lines + ?, violating = violating + ?, reassigned = reassigned + ?,"
                + " schema_version = case when lines = 0 then ? else schema_version end where id = ? and state = 'open'")) {
            p.setLong(1, lines);
            p.setLong(2, badLines.size());
            p.setLong(3, reassigned);
            p.setInt(4, checkedAgainst);
            p.setLong(5, id);
            if (p.executeUpdate() != 1) {
                throw new Conflict("Import " + id + " has ended; start a new one.");
            }
        }
        if (!all.isEmpty()) {
            try (PreparedStatement p = c.prepareStatement("insert into docshift.import_violation (import_id, line, path, message)"
                    + " select ?, l, p, m from unnest(?::bigint[], ?::text[], ?::text[]) as v(l, p, m)"
                    + " limit greatest(0, ? - (select count(*) from docshift.import_violation where import_id = ?))")) {
                p.setLong(1, id);
                p.setArray(2, c.createArrayOf("bigint", all.stream().map(LineViolation::line).toArray()));
                p.setArray(3, c.createArrayOf("text", all.stream().map(LineViolation::path).toArray()));
                p.setArray(4, c.createArrayOf("text", all.stream().map(LineViolation::message).toArray()));
                p.setInt(5, KEPT_VIOLATIONS);
                p.setLong(6, id);
                p.executeUpdate();
            }
        }
        return get(id);
    }

    /** One refused line: its number, where in it, and what is wrong. */
    public record LineViolation(long line, String path, String message) {
    }

    private static List<LineViolation> stage(Connection c, long id, List<Staged> docs) throws SQLException {
        Set<UUID> stored = new HashSet<>();
        try (PreparedStatement p = c.prepareStatement("insert into " + staging(id) + " (id, line, creation_time, schema_version, data)"
                + " select i, l, t, v, d::jsonb from unnest(?::uuid[], ?::bigint[], ?::bigint[], ?::int[], ?::text[]) as u(i, l, t, v, d)"
                + " on conflict (id) do nothing returning id")) {
            p.setArray(1, c.createArrayOf("uuid", docs.stream().map(Staged::id).toArray()));
            p.setArray(2, c.createArrayOf("bigint", docs.stream().map(Staged::line).toArray()));
            p.setArray(3, c.createArrayOf("bigint", docs.stream().map(Staged::creationTime).toArray()));
            p.setArray(4, c.createArrayOf("int4", docs.stream().map(Staged::schemaVersion).toArray()));
            p.setArray(5, c.createArrayOf("text", docs.stream().map(Staged::body).toArray()));
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    stored.add(r.getObject(1, UUID.class));
                }
            }
        }
        List<LineViolation> duplicates = new ArrayList<>();
        for (Staged d : docs) {
            if (!stored.remove(d.id())) {
                duplicates.add(new LineViolation(d.line(), "/_id", "another line of this import has the same _id"));
            }
        }
        return duplicates;
    }

    /** The kept violations of an import, by line. */
    public List<LineViolation> violations(long id) {
        return Jdbc.call(dataSource, c -> {
            List<LineViolation> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("select line, path, message from docshift.import_violation where import_id = ? order by line, path")) {
                p.setLong(1, id);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(new LineViolation(r.getLong(1), r.getString(2), r.getString(3)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * In the commit's transaction on {@code c}: the staged documents whose ids {@code table} already holds
     * (an append must not overwrite them), counted, with up to ten examples.
     */
    public Map.Entry<Long, List<Violation>> collisions(Connection c, long id, DocTable table) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select count(*), (array_agg(s.line order by s.line))[1:10], (array_agg(docshift.id_text(s.id) order by s.line))[1:10]"
                + " from " + staging(id) + " s join " + table.sqlName() + " t on t.id = s.id"); ResultSet r = p.executeQuery()) {
            r.next();
            List<Violation> examples = new ArrayList<>();
            if (r.getLong(1) > 0) {
                Long[] lines = (Long[]) r.getArray(2).getArray();
                String[] ids = (String[]) r.getArray(3).getArray();
                for (int i = 0; i < lines.length; i++) {
                    examples.add(new Violation("/" + lines[i] + "/_id", "table '" + table.name() + "' already has document " + ids[i]));
                }
            }
            return Map.entry(r.getLong(1), examples);
        }
    }

    /**
     * In the commit's transaction on {@code c}: moves the staged documents into {@code table} (after emptying it
     * for a replace), ends the import committed and drops its staging table. Returns {inserted, deleted}.
     */
    public long[] commit(Connection c, Import imp, DocTable table) throws SQLException {
        long deleted = 0;
        try (Statement s = c.createStatement()) {
            if (imp.mode().equals("replace")) {
                deleted = s.executeUpdate("delete from " + table.sqlName());
            }
            long inserted = s.executeUpdate("insert into " + table.sqlName() + " (id, creation_time, schema_version, revision, data)"
                    + " select id, creation_time, schema_version, nextval('docshift.write_seq'), data from " + staging(imp.id()) + " order by id");
            if (s.executeUpdate("update docshift.import set state = 'committed', finished_at = now() where id = " + imp.id() + " and state = 'open'") != 1) {
                throw new Conflict("Import " + imp.id() + " has ended already.");
            }
            s.execute("drop table " + staging(imp.id()));
            return new long[]{inserted, deleted};
        }
    }

    /** Ends an open import aborted and drops its staging table; false if it had ended. */
    public boolean abort(long id) {
        return Jdbc.call(dataSource, c -> {
            try (Statement s = c.createStatement()) {
                if (s.executeUpdate("update docshift.import set state = 'aborted', finished_at = now() where id = " + id + " and state = 'open'") != 1) {
                    return false;
                }
                s.execute("drop table if exists " + staging(id));
                return true;
            }
        });
    }

    /** Whether an import into {@code table} is still open. */
    public boolean anyOpenInto(String table) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("select exists (select 1 from docshift.import where table_name = ? and state = 'open')")) {
                p.setString(1, table);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return r.getBoolean(1);
                }
            }
        });
    }

    /** Open imports untouched for longer than {@code hours}: abandoned by a client that went away. */
    public List<Long> abandoned(int hours) {
        return Jdbc.call(dataSource, c -> {
            List<Long> ids = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("select id from docshift.import where state = 'open' and created_at < now() - ? * interval '1 hour'")) {
                p.setInt(1, hours);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        ids.add(r.getLong(1));
                    }
                }
            }
            return ids;
        });
    }

    private static String staging(long id) {
        return DocTable.DATA_SCHEMA + ".import_" + id;
    }
}
