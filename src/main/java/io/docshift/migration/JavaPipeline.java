package io.docshift.migration;

import com.fasterxml.jackson.databind.JsonNode;
import io.docshift.document.store.DocTable;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a Java migration's reads one slice ahead of its writes: while a batch is written on the run's
 * connection, the next slice is read and migrated on a second connection and thread, so the JVM's parsing
 * and the migration's own work overlap with PostgreSQL's update instead of adding to it.
 * <p>
 * Reading ahead is safe because {@link JavaBatch#write} only writes rows whose revision is still the one read:
 * the prefetched slice is a proposal, and the batch that takes it is fenced like any other. A prefetch for a
 * position the run did not reach (a batch rolled back, a sweep started another pass) is discarded.
 */
final class JavaPipeline implements AutoCloseable {

    private final Connection reader;
    private final ExecutorService thread;
    private final DocTable table;
    private final JavaMigration java;
    private final JsonNode args;
    private final RunKind kind;
    private final boolean citus;
    private Ahead ahead;

    private record Ahead(UUID after, int limit, Future<JavaBatch.Prepared> result) {
    }

    /** {@code citus}: the table is a Citus distributed table, written as {@link JavaBatch} does there. */
    JavaPipeline(Connection reader, long runId, DocTable table, JavaMigration java, JsonNode args, RunKind kind, boolean citus) {
        this.citus = citus;
        this.reader = reader;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "docshift-run-" + runId + "-reader");
            t.setDaemon(true);
            return t;
        });
        this.table = table;
        this.java = java;
        this.args = args;
        this.kind = kind;
    }

    /**
     * The slice after {@code after}, read and migrated: the prefetched one when it starts there and is no
     * larger than {@code maxSize}, else read now. A migration that failed on a document throws here.
     */
    JavaBatch.Prepared take(UUID after, int limit, int maxSize) throws SQLException {
        Ahead a = ahead;
        ahead = null;
        if (a != null && Objects.equals(a.after(), after) && a.limit() <= maxSize) {
            return await(a.result());
        }
        if (a != null) {
            settle(a.result());
        }
        return await(read(after, limit));
    }

    /** Starts reading the slice after {@code after} while the caller writes the current one. */
    void prefetch(UUID after, int limit) {
        ahead = new Ahead(after, limit, read(after, limit));
    }

    /** Writes a prepared slice in the caller's batch transaction, each body checked first; returns how many documents changed. */
    BatchSql.Written write(Connection c, JavaBatch.Prepared prepared, BodyCheck check) throws SQLException {
        return JavaBatch.write(c, table, java, args, prepared, kind, check, citus);
    }

    /** Waits for a read still in flight (never leaves the reader connection busy), then stops the thread. */
    @Override
    public void close() {
        if (ahead != null) {
            settle(ahead.result());
            ahead = null;
        }
        thread.shutdown();
    }

    private Future<JavaBatch.Prepared> read(UUID after, int limit) {
        return thread.submit(() -> JavaBatch.prepare(reader, table, java, args, after, limit, kind));
    }

    private static JavaBatch.Prepared await(Future<JavaBatch.Prepared> f) throws SQLException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while reading a slice", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException s) {
                throw s;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void settle(Future<JavaBatch.Prepared> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException ignored) {
            // a discarded read: whatever it found is read again when the run gets there
        }
    }
}
