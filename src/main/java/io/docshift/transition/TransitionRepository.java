package io.docshift.transition;

import io.docshift.db.Jdbc;
import io.docshift.error.Conflict;
import io.docshift.schema.TransitionState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * All SQL that writes {@code docshift.transition}. Every state change is a guarded update from the states it
 * expects, its row count checked, so a rollback requested during verification and the activation that
 * verification leads to cannot both happen: whichever commits first moves the state, and the other finds it
 * moved. At most one transition is unfinished at a time ({@code transition_one_open}).
 */
@ApplicationScoped
public class TransitionRepository {

    /** A row of {@code docshift.transition}; {@code error} is JSON text or null. */
    public record Transition(long id, Integer fromVersion, int toVersion, TransitionState state, String error,
                             OffsetDateTime startedAt, OffsetDateTime finishedAt) {
    }

    @Inject
    DataSource dataSource;

    /** The latest transition, in whatever state. */
    public Optional<Transition> latest() {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("select id, from_version, to_version, state, error::text, started_at, finished_at"
                    + " from docshift.transition order by id desc limit 1"); ResultSet r = p.executeQuery()) {
                if (!r.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Transition(r.getLong(1), (Integer) r.getObject(2), r.getInt(3), TransitionState.of(r.getString(4)),
                        r.getString(5), r.getObject(6, OffsetDateTime.class), r.getObject(7, OffsetDateTime.class)));
            }
        });
    }

    /** Opens a transition (migrating) from {@code from} (null: no schema) to {@code to}; 409 if another is unfinished. */
    public long open(Connection c, Integer from, int to) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("insert into docshift.transition (from_version, to_version, state) values (?, ?, ?) returning id")) {
            p.setObject(1, from);
            p.setInt(2, to);
            p.setString(3, TransitionState.MIGRATING.sql());
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new Conflict("Another schema transition is unfinished; wait until it is active or rolled back.");
            }
            throw e;
        }
    }

    /**
     * Moves transition {@code id} to {@code to} if it is in one of {@code from}, setting its error (null clears it)
     * and, for a final state, its end; false when it is not (someone else moved it first).
     */
    public boolean move(Connection c, long id, Set<TransitionState> from, TransitionState to, String errorJson) throws SQLException {
        boolean finished = to == TransitionState.ACTIVE || to == TransitionState.ROLLED_BACK;
        try (PreparedStatement p = c.prepareStatement("update docshift.transition set state = ?, error = ?::jsonb"
                + (finished ? ", finished_at = now()" : "") + " where id = ? and state in " + TransitionState.sqlList(from))) {
            p.setString(1, to.sql());
            p.setString(2, errorJson);
            p.setLong(3, id);
            return p.executeUpdate() == 1;
        }
    }

    /** {@link #move} in a transaction of its own. */
    public boolean move(long id, Set<TransitionState> from, TransitionState to, String errorJson) {
        return Jdbc.call(dataSource, c -> move(c, id, from, to, errorJson));
    }

    /** 409 naming the state a transition was found in when a guarded move did not apply. */
    public Conflict moved(long id, String action) {
        String state = latest().filter(t -> t.id() == id).map(t -> t.state().sql()).orElse("gone");
        return new Conflict("Schema transition " + id + " is " + state + "; it cannot be " + action + " now.",
                Map.of("transitionId", id, "state", state));
    }
}
