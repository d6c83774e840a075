package io.docshift.rehearsal;

import io.docshift.document.store.DocTable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * All SQL of a rehearsal: it owns schema {@value #SCHEMA} (one copy, backup and sample table per migrated table,
 * created and dropped by the rehearsal holding the rehearsal lock) and only ever reads the live tables. The copy
 * keeps each document's original version and the md5 of its original body, which the rollback is compared with.
 * Relations are built from table numbers only, never from user text.
 */
final class RehearsalSql {

    static final String SCHEMA = "docshift_rehearsal";

    /** A keyset slice: the ids after {@code after} up to and including {@code last}, {@code size} of them. */
    record Slice(UUID after, UUID last, int size) {
    }

    /** What a sweep batch wrote: documents whose body changed, and those only stamped with the new version. */
    record Swept(int changed, int stamped) {
    }

    /** Live documents written up to a mark: how many, the sum of their hashes; and how many were written after it. */
    record Fingerprint(long documents, java.math.BigInteger hashes, long writtenAfter) {

        Fingerprint plus(Fingerprint o) {
            return new Fingerprint(documents + o.documents, hashes.add(o.hashes), writtenAfter + o.writtenAfter);
        }
    }

    /** Documents whose restored body or version differs from the original, and the first of them. */
    record Compared(long mismatched, UUID first) {
    }

    private RehearsalSql() {
    }

    static String copy(DocTable t) {
        return "\"" + SCHEMA + "\".\"doc_" + t.number() + "\"";
    }

    private static String backup(DocTable t) {
        return "\"" + SCHEMA + "\".\"backup_" + t.number() + "\"";
    }

    private static String sample(DocTable t) {
        return "\"" + SCHEMA + "\".\"sample_" + t.number() + "\"";
    }

    /** A clean schema for the copies (whatever a rehearsal cut short left), and the session's settings. */
    static void reset(Connection c, long statementTimeoutMillis) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("set plan_cache_mode = force_custom_plan; set statement_timeout = " + statementTimeoutMillis);
            s.execute("drop schema if exists " + SCHEMA + " cascade");
            s.execute("create schema " + SCHEMA);
        }
    }

    /** Drops every copy, and gives the connection back its pool's settings. */
    static void drop(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            try {
                s.execute("drop schema if exists " + SCHEMA + " cascade");
            } finally {
                s.execute("reset plan_cache_mode; reset statement_timeout");
            }
        }
    }

    /** The write sequence's value now: every write from now on gets a revision above it. */
    static long mark(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select last_value from docshift.write_seq")) {
            r.next();
            return r.getLong(1);
        }
    }

    static long count(Connection c, DocTable live) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select count(*) from " + live.sqlName())) {
            r.next();
            return r.getLong(1);
        }
    }

    /**
     * Reads a slice of the live table: the documents written up to {@code mark}, counted and fingerprinted by a sum
     * of 64-bit hashes of their id, revision, version and body (a sum, so slices add up whatever their bounds), and
     * how many were written after it.
     */
    static Fingerprint fingerprint(Connection c, DocTable live, long mark, Slice slice) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select count(*) filter (where revision <= ?), coalesce(sum(('x' || substr(md5(id::text || ':'"
                + " || revision || ':' || schema_version || ':' || md5(data::text)), 1, 16))::bit(64)::bigint) filter (where revision <= ?), 0),"
                + " count(*) filter (where revision > ?) from " + live.sqlName() + " where id > ? and id <= ?")) {
            p.setLong(1, mark);
            p.setLong(2, mark);
            p.setLong(3, mark);
            range(p, 4, slice);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return new Fingerprint(r.getLong(1), r.getBigDecimal(2).toBigInteger(), r.getLong(3));
            }
        }
    }

    static Slice nextOfLive(Connection c, DocTable live, UUID after, int limit) throws SQLException {
        return nextSlice(c, live.sqlName(), after, limit);
    }

    /** The copy and backup tables of {@code live}; with a sample, its ids: {@code sample} of them, chosen uniformly. */
    static void create(Connection c, DocTable live, Long sample) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("create table " + copy(live) + " (id uuid primary key, schema_version int not null, data jsonb not null,"
                    + " original_version int not null, original_md5 text not null)");
            s.execute("create table " + backup(live) + " (id uuid primary key, schema_version int not null, data jsonb not null)");
        }
        if (sample != null) {
            try (PreparedStatement p = c.prepareStatement("create table " + sample(live) + " as select id from " + live.sqlName()
                    + " order by random() limit ?")) {
                p.setLong(1, sample);
                p.execute();
            }
            try (Statement s = c.createStatement()) {
                s.execute("alter table " + sample(live) + " add primary key (id)");
            }
        }
    }

    /** The next slice of the documents to copy: of the live table, or of its sample. */
    static Slice nextToCopy(Connection c, DocTable live, boolean sampled, UUID after, int limit) throws SQLException {
        return nextSlice(c, sampled ? sample(live) : live.sqlName(), after, limit);
    }

    /** Copies a slice of the live table (of its sample) as it is now; returns how many documents were copied. */
    static int copySlice(Connection c, DocTable live, boolean sampled, Slice slice) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("insert into " + copy(live) + " (id, schema_version, data, original_version, original_md5)"
                + " select l.id, l.schema_version, l.data, l.schema_version, md5(l.data::text) from " + live.sqlName() + " l"
                + (sampled ? " join " + sample(live) + " s on s.id = l.id" : "") + " where l.id > ? and l.id <= ?")) {
            range(p, 1, slice);
            return p.executeUpdate();
        }
    }

    static Slice nextOfCopy(Connection c, DocTable live, UUID after, int limit) throws SQLException {
        return nextSlice(c, copy(live), after, limit);
    }

    static Slice nextOfBackup(Connection c, DocTable live, UUID after, int limit) throws SQLException {
        return nextSlice(c, backup(live), after, limit);
    }

    private static Slice nextSlice(Connection c, String relation, UUID after, int limit) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("with s as (select id from " + relation + " where id > ? order by id limit ?)"
                + " select (select count(*) from s), (select id from s order by id desc limit 1)")) {
            p.setObject(1, after == null ? new UUID(0, 0) : after);
            p.setInt(2, limit);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return new Slice(after, r.getObject(2, UUID.class), r.getInt(1));
            }
        }
    }

    /**
     * A sweep batch in PostgreSQL over a slice of the copy, as a transition's sweep with backups runs it: each
     * document below {@code target} gets {@code newBody} (over row {@code u}, its parameters first) and the target
     * version, its body before is saved, and the changed are counted apart from the only stamped.
     */
    static Swept sweep(Connection c, DocTable live, String newBody, List<Object> params, int target, Slice slice) throws SQLException {
        String t = copy(live);
        try (PreparedStatement p = c.prepareStatement("with up as (update " + t + " u set data = " + newBody + ", schema_version = " + target
                + " where u.id > ? and u.id <= ? and u.schema_version < " + target + " returning u.id, u.data),"
                + " bk as (insert into " + backup(live) + " (id, data, schema_version) select o.id, o.data, o.schema_version from up join " + t
                + " o on o.id = up.id) select count(*), count(*) filter (where o.data is distinct from up.data) from up join " + t + " o on o.id = up.id")) {
            int i = bind(p, 1, params);
            range(p, i, slice);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return new Swept(r.getInt(2), r.getInt(1) - r.getInt(2));
            }
        }
    }

    /** The error PostgreSQL gives computing {@code newBody} for one document of the copy, or null when it computes. */
    static String tryOne(Connection c, DocTable live, String newBody, List<Object> params, UUID id) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select " + newBody + " from " + copy(live) + " u where u.id = ?")) {
            p.setObject(bind(p, 1, params), id);
            p.executeQuery().close();
            return null;
        } catch (SQLException e) {
            if (e.getSQLState() != null && e.getSQLState().startsWith("22")) {
                return e.getMessage();
            }
            throw e;
        }
    }

    /** The ids of a slice of the copy, in order. */
    static List<UUID> ids(Connection c, DocTable live, Slice slice) throws SQLException {
        List<UUID> ids = new ArrayList<>(slice.size());
        try (PreparedStatement p = c.prepareStatement("select id from " + copy(live) + " where id > ? and id <= ? order by id")) {
            range(p, 1, slice);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getObject(1, UUID.class));
                }
            }
        }
        return ids;
    }

    /** The documents of a slice of the copy below {@code target}: ids and bodies, for a sweep in the JVM. */
    static void due(Connection c, DocTable live, int target, Slice slice, List<UUID> ids, List<String> bodies) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("select id, data::text from " + copy(live) + " where id > ? and id <= ? and schema_version < "
                + target + " order by id")) {
            range(p, 1, slice);
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    ids.add(r.getObject(1, UUID.class));
                    bodies.add(r.getString(2));
                }
            }
        }
    }

    /** Writes the bodies a sweep in the JVM computed (stored text, in id order), saving those before, as {@link #sweep} does. */
    static Swept write(Connection c, DocTable live, int target, List<UUID> ids, List<String> bodies) throws SQLException {
        if (ids.isEmpty()) {
            return new Swept(0, 0);
        }
        String t = copy(live);
        try (PreparedStatement p = c.prepareStatement("with up as (update " + t + " u set data = x.d, schema_version = " + target
                + " from rows from (unnest(?::uuid[]), jsonb_array_elements(?::jsonb)) as x(id, d) where u.id = x.id returning u.id, u.data),"
                + " bk as (insert into " + backup(live) + " (id, data, schema_version) select o.id, o.data, o.schema_version from up join " + t
                + " o on o.id = up.id) select count(*), count(*) filter (where o.data is distinct from up.data) from up join " + t + " o on o.id = up.id")) {
            p.setArray(1, c.createArrayOf("uuid", ids.toArray()));
            p.setString(2, "[" + String.join(",", bodies) + "]");
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return new Swept(r.getInt(2), r.getInt(1) - r.getInt(2));
            }
        }
    }

    /** Restores a slice of the backups: each saved body and version back into the copy; returns how many. */
    static int restore(Connection c, DocTable live, Slice slice) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("update " + copy(live) + " u set data = b.data, schema_version = b.schema_version from "
                + backup(live) + " b where b.id = u.id and b.id > ? and b.id <= ? and u.id > ? and u.id <= ?")) {
            range(p, range(p, 1, slice), slice);
            return p.executeUpdate();
        }
    }

    /** Compares a slice of the copy with the originals: the version, and the md5 of the body's text. */
    static Compared compare(Connection c, DocTable live, Slice slice) throws SQLException {
        String differs = "md5(data::text) <> original_md5 or schema_version <> original_version";
        try (PreparedStatement p = c.prepareStatement("select count(*) filter (where " + differs + "),"
                + " (array_agg(id order by id) filter (where " + differs + "))[1] from " + copy(live) + " where id > ? and id <= ?")) {
            range(p, 1, slice);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return new Compared(r.getLong(1), r.getObject(2, UUID.class));
            }
        }
    }

    private static int bind(PreparedStatement p, int start, List<Object> params) throws SQLException {
        int i = start;
        for (Object v : params) {
            p.setString(i++, (String) v);
        }
        return i;
    }

    private static int range(PreparedStatement p, int i, Slice slice) throws SQLException {
        p.setObject(i, slice.after() == null ? new UUID(0, 0) : slice.after());
        p.setObject(i + 1, slice.last());
        return i + 2;
    }
}
