package io.docshift.schema.index;

import io.docshift.coordination.PgNotifications.Notification;
import io.docshift.db.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Which physical indexes are ready for queries. Ready is remembered; anything else is asked of the database. */
@ApplicationScoped
public class IndexCatalog {

    private final Map<String, Boolean> ready = new ConcurrentHashMap<>();

    @Inject
    DataSource dataSource;

    public boolean isReady(String physical) {
        if (ready.containsKey(physical)) {
            return true;
        }
        String state = Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("select state from docshift.doc_index where physical = ?")) {
                p.setString(1, physical);
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? r.getString(1) : null;
                }
            }
        });
        if ("ready".equals(state)) {
            ready.put(physical, true);
            return true;
        }
        return false;
    }

    /** A dropped index is never ready again: forget what we knew when the schema changes. */
    void onNotification(@Observes Notification n) {
        if (n.topic().equals("schema")) {
            ready.clear();
        }
    }
}
