package io.docshift.schema;

import io.docshift.coordination.PgNotifications.Notification;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/** Keeps this pod's {@link ActiveSchema} current: at once on NOTIFY, and every few seconds in case one was missed. */
@ApplicationScoped
public class SchemaRefresher {

    private static final Logger LOG = Logger.getLogger(SchemaRefresher.class);

    @Inject
    ActiveSchema active;

    void onNotification(@Observes Notification n) {
        if (n.topic().equals("schema") || n.topic().equals("connected")) {
            refresh();
        }
    }

    @Scheduled(every = "${docshift.schema.refresh-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void periodically() {
        refresh();
    }

    private void refresh() {
        try {
            active.refresh();
        } catch (RuntimeException e) {
            LOG.warnf("Could not refresh the active schema: %s", e.getMessage());
        }
    }
}
