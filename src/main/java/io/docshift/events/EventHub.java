package io.docshift.events;

import io.docshift.coordination.PgNotifications.Notification;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Fans the event log out to this pod's subscribers (server-sent event streams). A thread of its own reads the
 * events after the last one it delivered whenever a NOTIFY says there are new ones, and every second anyway
 * (the net under a missed notification), so every pod delivers every event, in order, with the same ids.
 */
@ApplicationScoped
public class EventHub {

    private static final Logger LOG = Logger.getLogger(EventHub.class);
    private static final long KEEPALIVE_NANOS = 15_000_000_000L;

    /** Someone listening: gets each event it wants, and a comment now and then to keep proxies from closing it. */
    public interface Subscriber {
        /** Whether it wants events of {@code kind}. */
        boolean wants(String kind);

        /** Delivers one event; false when the client has gone. */
        boolean deliver(EventLog.Event event);

        /** Sends a comment line; false when the client has gone. */
        boolean keepAlive();
    }

    @Inject
    EventLog log;

    private final Set<Subscriber> subscribers = new CopyOnWriteArraySet<>();
    private final Semaphore wake = new Semaphore(0);
    private volatile boolean running;
    private volatile long delivered = -1;
    private Thread thread;

    void start(@Observes StartupEvent ignored) {
        running = true;
        thread = new Thread(this::loop, "docshift-events");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent ignored) {
        running = false;
        wake.release();
    }

    void onNotification(@Observes Notification n) {
        if (n.topic().equals("event") || n.topic().equals("connected")) {
            wake.release();
        }
    }

    /** The id after which a new subscriber starts: the last event this pod delivered. */
    public long position() {
        long d = delivered;
        return d >= 0 ? d : log.latestId();
    }

    public void subscribe(Subscriber s) {
        subscribers.add(s);
    }

    public void unsubscribe(Subscriber s) {
        subscribers.remove(s);
    }

    private void loop() {
        long lastKeepAlive = System.nanoTime();
        while (running) {
            try {
                wake.tryAcquire(1, TimeUnit.SECONDS);
                wake.drainPermits();
                if (delivered < 0) {
                    delivered = log.latestId();
                }
                List<EventLog.Event> events;
                do {
                    events = log.after(delivered);
                    for (EventLog.Event e : events) {
                        for (Subscriber s : subscribers) {
                            if (s.wants(e.kind()) && !s.deliver(e)) {
                                subscribers.remove(s);
                            }
                        }
                        delivered = e.id();
                    }
                } while (!events.isEmpty() && running);
                if (System.nanoTime() - lastKeepAlive > KEEPALIVE_NANOS) {
                    lastKeepAlive = System.nanoTime();
                    subscribers.removeIf(s -> !s.keepAlive());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.warnf("Could not read the event log: %s", e.getMessage());
            }
        }
    }
}
