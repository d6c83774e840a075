package io.docshift.db;

import io.agroal.api.AgroalDataSource;
import io.quarkus.agroal.DataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The two connection pools (requests, background work) as one thing to heal. After a failover the pools may
 * hold connections to a server that is gone (08xxx, 57P0x) or that has become a read-only replica (25006,
 * which no validation notices): the first such error flushes both pools gracefully (idle connections close at
 * once, busy ones when returned), so the next borrow opens a connection to whichever host is primary now
 * (the JDBC URL's {@code targetServerType=primary}). At most one flush a second.
 */
@ApplicationScoped
public class Pools {

    private static final Logger LOG = Logger.getLogger(Pools.class);

    @Inject
    AgroalDataSource requests;
    @Inject
    @DataSource("background")
    AgroalDataSource background;

    private final AtomicLong lastFlush = new AtomicLong();

    /** Whether {@code e} means the pooled connection points at a server that cannot take writes any more. */
    public static boolean isStaleServer(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.equals("25006") || state.startsWith("57P0") || state.startsWith("08"));
    }

    /** Flushes both pools if {@code e} says their connections point at a server that is gone or read-only. */
    public void evictAfter(SQLException e) {
        if (!isStaleServer(e)) {
            return;
        }
        long now = System.nanoTime();
        long last = lastFlush.get();
        if (now - last < 1_000_000_000L || !lastFlush.compareAndSet(last, now)) {
            return;
        }
        LOG.warnf("Flushing the connection pools after %s (%s): the primary may have moved", e.getSQLState(), e.getMessage());
        requests.flush(AgroalDataSource.FlushMode.GRACEFUL);
        background.flush(AgroalDataSource.FlushMode.GRACEFUL);
    }
}
