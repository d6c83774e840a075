package io.docshift.bench;

import io.docshift.support.TestDb;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.HashMap;
import java.util.stream.Collectors;

/**
 * What the app's active PostgreSQL backends wait on while a load runs: {@code pg_stat_activity} sampled every
 * 20 ms on a connection of its own, summed by wait event ("CPU" where an active backend waits on nothing).
 */
final class WaitSampler implements AutoCloseable {

    private final Map<String, Integer> seen = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;

    WaitSampler() {
        thread = new Thread(this::sample, "wait-sampler");
        thread.setDaemon(true);
        thread.start();
    }

    private void sample() {
        try (Connection c = TestDb.connect(); Statement s = c.createStatement()) {
            while (running) {
                try (ResultSet r = s.executeQuery("select coalesce(wait_event_type || ':' || wait_event, 'CPU') from pg_stat_activity"
                        + " where state = 'active' and application_name like 'docshift%' and pid <> pg_backend_pid()")) {
                    while (r.next()) {
                        synchronized (seen) {
                            seen.merge(r.getString(1), 1, Integer::sum);
                        }
                    }
                }
                Thread.sleep(20);
            }
        } catch (Exception e) {
            synchronized (seen) {
                seen.put("sampling failed: " + e.getMessage(), 1);
            }
        }
    }

    /** Stops sampling; the events by share of the samples, the largest first. */
    String summary() throws InterruptedException {
        close();
        synchronized (seen) {
            int total = seen.values().stream().mapToInt(Integer::intValue).sum();
            return seen.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(8)
                    .map(e -> String.format(java.util.Locale.ROOT, "%s %.0f%%", e.getKey(), 100.0 * e.getValue() / Math.max(1, total)))
                    .collect(Collectors.joining("; ")) + " (" + total + " backend samples)";
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }
}
