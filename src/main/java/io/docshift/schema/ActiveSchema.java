package io.docshift.schema;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.docshift.db.Jdbc;
import io.docshift.document.store.DocTable;
import io.docshift.document.store.TableRegistry;
import io.docshift.schema.validate.Validator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * This pod's copy of the active schema. It is refreshed when another pod announces a new version
 * (NOTIFY), when a write finds the database ahead of it, and by a periodic check as a safety net.
 */
@ApplicationScoped
public class ActiveSchema {

    private static final Logger LOG = Logger.getLogger(ActiveSchema.class);
    private static final ObjectMapper MAPPER = io.docshift.json.Json.MAPPER;

    /**
     * A transition from {@code from} (null: no schema) to {@code target} (version {@code toVersion}): one in
     * progress ({@code open}), or the one that produced the active version, whose migration still upgrades
     * writes sent in the previous shape by clients that have not moved yet. See {@code io.docshift.transition}.
     */
    public record OpenTransition(long id, int toVersion, Schema target, Schema from, boolean open) {

        /** The validator the previous version enforced on {@code table}, or {@code null} when its documents were free. */
        public Validator previousValidator(String table) {
            if (from == null || !from.validation()) {
                return null;
            }
            TableSchema t = from.table(table);
            return t == null ? null : t.document();
        }

        /** The validator the target version enforces on {@code table}, or {@code null} when its documents are free. */
        public Validator targetValidator(String table) {
            if (!target.validation()) {
                return null;
            }
            TableSchema t = target.table(table);
            return t == null ? null : t.document();
        }
    }

    /**
     * A version and its parsed schema, and the transition under way if there is one; version 0 means no schema
     * was ever pushed.
     */
    public record Snapshot(int version, Schema schema, String hash, OffsetDateTime activatedAt, OpenTransition transition) {

        static final Snapshot NONE = new Snapshot(0, null, null, null, null);

        /** The open transition's id, 0 when none is open. */
        long transitionId() {
            return transition == null || !transition.open() ? 0 : transition.id();
        }

        /** The validator to enforce on writes to {@code table}, or {@code null} when its documents are free. */
        public Validator enforcedValidator(String table) {
            if (schema == null || !schema.validation()) {
                return null;
            }
            TableSchema t = schema.table(table);
            return t == null ? null : t.document();
        }
    }

    @Inject
    DataSource dataSource;
    @Inject
    TableRegistry tables;

    /** The newest snapshot, and the number of the read that produced it. */
    private record Held(Snapshot snapshot, long read) {
    }

    private final AtomicReference<Held> held = new AtomicReference<>(new Held(Snapshot.NONE, 0));
    private final AtomicLong reads = new AtomicLong();
    /** Parsed versions by number: a stored version never changes. */
    private final Map<Integer, Schema> parsed = new ConcurrentHashMap<>();
    private volatile boolean loaded;

    public Snapshot current() {
        if (!loaded) {
            refresh();
        }
        return held.get().snapshot();
    }

    /** The snapshot of {@code version} and transition {@code transitionId} (0: none), reloading if this pod is behind. */
    public Snapshot at(int version, long transitionId) {
        Snapshot s = current();
        return s.version() == version && s.transitionId() == transitionId ? s : refresh();
    }

    /**
     * Reads the active version, and the open transition if any, from the database, and makes it this pod's view.
     * No lock is held while reading: concurrent refreshes each read, and the one that started last wins the swap,
     * so a slow read never replaces a newer view. Parsing happens once per version.
     */
    public Snapshot refresh() {
        long read = reads.incrementAndGet();
        Snapshot fresh = Jdbc.call(dataSource, this::read);
        Held before = held.getAndUpdate(h -> read > h.read() ? new Held(fresh, read) : h);
        loaded = true;
        Snapshot now = held.get().snapshot();
        if (now.version() != before.snapshot().version()) {
            LOG.infof("Active schema is now version %d", now.version());
        }
        if (now.transitionId() != before.snapshot().transitionId() && now.transitionId() != 0) {
            LOG.infof("Schema transition %d towards version %d is open", now.transitionId(), now.transition().toVersion());
        }
        return now;
    }

    private Snapshot read(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("select v.version, v.hash, v.activated_at, t.id, t.to_version, t.from_version, t.state <> 'active'"
                     + " from docshift.schema_state st left join docshift.schema_version v on v.version = st.active_version"
                     + " left join lateral (select * from docshift.transition t where t.state in " + TransitionState.OPEN_SQL
                     + " or (t.state = 'active' and t.to_version = st.active_version) order by t.id desc limit 1) t on true")) {
            r.next();
            int version = r.getInt(1);
            long transitionId = r.getLong(4);
            boolean open = r.getBoolean(7);
            OpenTransition known = held.get().snapshot().transition();
            OpenTransition transition = transitionId == 0 ? null
                    : known != null && known.id() == transitionId && known.open() == open ? known
                    : new OpenTransition(transitionId, r.getInt(5), version(c, r.getInt(5)), r.getObject(6) == null ? null : version(c, r.getInt(6)), open);
            if (version == 0) {
                return new Snapshot(0, null, null, null, transition);
            }
            return new Snapshot(version, version(c, version), r.getString(2), r.getObject(3, OffsetDateTime.class), transition);
        }
    }

    /** Version {@code number}, parsed once. */
    private Schema version(Connection c, int number) throws SQLException {
        Schema known = parsed.get(number);
        if (known != null) {
            return known;
        }
        try (PreparedStatement p = c.prepareStatement("select source::text from docshift.schema_version where version = ?")) {
            p.setInt(1, number);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                Schema schema = parse(r.getString(1));
                parsed.putIfAbsent(number, schema);
                return schema;
            }
        }
    }

    /** Parses a stored or pushed schema document, resolving id validators through the table registry. */
    public Schema parse(String json) {
        try {
            return SchemaParser.parse(MAPPER.readTree(json), this::tableNumber);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored schema is not JSON", e);
        }
    }

    public OptionalInt tableNumber(String name) {
        return tables.find(name).map(DocTable::number).map(OptionalInt::of).orElse(OptionalInt.empty());
    }
}
