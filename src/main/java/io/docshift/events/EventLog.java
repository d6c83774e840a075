package io.docshift.events;

import io.docshift.db.Jdbc;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code docshift.event}, which database triggers fill in the transaction of each change (runs, transitions,
 * schema activations, indexes), and prunes what is older than {@link #KEPT_MINUTES} minutes.
 */
@ApplicationScoped
public class EventLog {

    private static final Logger LOG = Logger.getLogger(EventLog.class);
    /** How long events stay replayable for a client reconnecting with Last-Event-ID. */
    static final int KEPT_MINUTES = 60;
    private static final int PAGE = 1_000;

    /** One event: its id (the SSE id), kind (the SSE event name), subject and JSON data. */
    public record Event(long id, OffsetDateTime at, String kind, String subject, String data) {
    }

    @Inject
    DataSource dataSource;

    /** Up to a page of events after {@code afterId}, oldest first. */
    public List<Event> after(long afterId) {
        return Jdbc.call(dataSource, c -> {
            List<Event> out = new ArrayList<>();
            try (PreparedStatement p = c.prepareStatement("select id, at, kind, subject, data::text from docshift.event where id > ? order by id limit ?")) {
                p.setLong(1, afterId);
                p.setInt(2, PAGE);
                try (ResultSet r = p.executeQuery()) {
                    while (r.next()) {
                        out.add(new Event(r.getLong(1), r.getObject(2, OffsetDateTime.class), r.getString(3), r.getString(4), r.getString(5)));
                    }
                }
            }
            return out;
        });
    }

    /** The newest event's id (0 when there is none): a new client starts after it. */
    public long latestId() {
        return Jdbc.call(dataSource, c -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select coalesce(max(id), 0) from docshift.event")) {
                r.next();
                return r.getLong(1);
            }
        });
    }

    /** The oldest event still kept (0 when there is none): a client that missed events before it must reload. */
    public long oldestId() {
        return Jdbc.call(dataSource, c -> {
            try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("select coalesce(min(id), 0) from docshift.event")) {
                r.next();
                return r.getLong(1);
            }
        });
    }

    @Scheduled(every = "1m", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void prune() {
        try {
            Jdbc.call(dataSource, c -> {
                try (PreparedStatement p = c.prepareStatement("delete from docshift.event where at < now() - ? * interval '1 minute'")) {
                    p.setInt(1, KEPT_MINUTES);
                    return p.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            LOG.warnf("Could not prune old events: %s", e.getMessage());
        }
    }
}
