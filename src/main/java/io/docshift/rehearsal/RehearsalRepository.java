package io.docshift.rehearsal;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.docshift.db.Jdbc;
import io.docshift.json.Json;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** All SQL on {@code docshift.rehearsal}: the rehearsals and their reports, the latest {@code docshift.rehearsal.keep} of them. */
@ApplicationScoped
class RehearsalRepository {

    @Inject
    DataSource dataSource;

    /** A new rehearsal, running, by {@code worker}; returns its id and start. Older reports beyond {@code keep} go. */
    Started insert(Connection c, String worker, int keep) throws SQLException {
        // a rehearsal still running here belongs to a pod that stopped: whoever inserts holds the rehearsal lock
        try (PreparedStatement p = c.prepareStatement("update docshift.rehearsal set state = 'failed', finished_at = now(),"
                + " report = report || jsonb_build_object('state', 'failed', 'error', 'the pod running it stopped before it ended')"
                + " where state = 'running'")) {
            p.executeUpdate();
        }
        Started started;
        try (PreparedStatement p = c.prepareStatement("insert into docshift.rehearsal (state, worker, report) values ('running', ?, '{}')"
                + " returning id, started_at")) {
            p.setString(1, worker);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                started = new Started(r.getLong(1), r.getObject(2, OffsetDateTime.class));
            }
        }
        try (PreparedStatement p = c.prepareStatement("delete from docshift.rehearsal where id <= ?")) {
            p.setLong(1, started.id() - Math.max(1, keep));
            p.executeUpdate();
        }
        return started;
    }

    /** The id and start of a rehearsal just inserted. */
    record Started(long id, OffsetDateTime at) {
    }

    /** Saves the report of rehearsal {@code id}, with its state (and its end, once it ended). */
    void save(Connection c, RehearsalReport report) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("update docshift.rehearsal set state = ?, report = ?::jsonb, finished_at = ?::timestamptz where id = ?")) {
            p.setString(1, report.state());
            p.setString(2, json(report));
            p.setObject(3, report.finishedAt());
            p.setLong(4, report.id());
            p.executeUpdate();
        }
    }

    Optional<RehearsalReport> find(long id) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("select report::text from docshift.rehearsal where id = ?")) {
                p.setLong(1, id);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(read(r.getString(1))) : Optional.empty();
                }
            }
        });
    }

    /** The kept reports, newest first. */
    List<RehearsalReport> latest() {
        return Jdbc.call(dataSource, c -> {
            List<RehearsalReport> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("select report::text from docshift.rehearsal order by id desc"); ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(read(r.getString(1)));
                }
            }
            return out;
        });
    }

    /** The rehearsal running now, on whichever pod, if any. */
    Optional<Long> running() {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("select max(id) from docshift.rehearsal where state = 'running'"); ResultSet r = p.executeQuery()) {
                r.next();
                long id = r.getLong(1);
                return r.wasNull() ? Optional.empty() : Optional.of(id);
            }
        });
    }

    private static String json(RehearsalReport report) {
        try {
            return Json.MAPPER.writeValueAsString(report);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static RehearsalReport read(String text) {
        try {
            return Json.MAPPER.readValue(text, RehearsalReport.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored rehearsal report is not readable", e);
        }
    }
}
