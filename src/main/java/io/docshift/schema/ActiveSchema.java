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
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.OptionalInt;

/**
 * This pod's copy of the active schema. It is refreshed when another pod announces a new version
 * (NOTIFY), when a write finds the database ahead of it, and by a periodic check as a safety net.
 */
@ApplicationScoped
public class ActiveSchema {

    private static final Logger LOG = Logger.getLogger(ActiveSchema.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();

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

    private volatile Snapshot current = Snapshot.NONE;
    private volatile boolean loaded;

    public Snapshot current() {
        if (!loaded) {
            refresh();
        }
        return current;
    }

    /** The snapshot of {@code version} and transition {@code transitionId} (0: none), reloading if this pod is behind. */
    public Snapshot at(int version, long transitionId) {
        Snapshot s = current();
        return s.version() == version && s.transitionId() == transitionId ? s : refresh();
    }

    /** Reads the active version, and the open transition if any, from the database. */
    public synchronized Snapshot refresh() {
        Snapshot fresh = Jdbc.call(dataSource, c -> {
            try (Statement s = c.createStatement();
                 ResultSet r = s.executeQuery("select v.version, v.source::text, v.hash, v.activated_at, t.id, t.to_version, tv.source::text,"
                         + " fv.source::text, t.state <> 'active'"
                         + " from docshift.schema_state st left join docshift.schema_version v on v.version = st.active_version"
                         + " left join lateral (select * from docshift.transition t where t.state in " + TransitionState.OPEN_SQL
                         + " or (t.state = 'active' and t.to_version = st.active_version) order by t.id desc limit 1) t on true"
                         + " left join docshift.schema_version tv on tv.version = t.to_version"
                         + " left join docshift.schema_version fv on fv.version = t.from_version")) {
                r.next();
                int version = r.getInt(1);
                long transitionId = r.getLong(5);
                boolean open = r.getBoolean(9);
                OpenTransition known = current.transition();
                OpenTransition transition = transitionId == 0 ? null
                        : known != null && known.id() == transitionId && known.open() == open ? known
                        : new OpenTransition(transitionId, r.getInt(6), parse(r.getString(7)), r.getString(8) == null ? null : parse(r.getString(8)), open);
                if (version == 0) {
                    return new Snapshot(0, null, null, null, transition);
                }
                Schema schema = version == current.version() && current.schema() != null ? current.schema() : parse(r.getString(2));
                return new Snapshot(version, schema, r.getString(3), r.getObject(4, OffsetDateTime.class), transition);
            }
        });
        if (fresh.version() != current.version()) {
            LOG.infof("Active schema is now version %d", fresh.version());
        }
        if (fresh.transitionId() != current.transitionId() && fresh.transitionId() != 0) {
            LOG.infof("Schema transition %d towards version %d is open", fresh.transitionId(), fresh.transition().toVersion());
        }
        current = fresh;
        loaded = true;
        return fresh;
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
