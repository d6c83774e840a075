package io.docshift.document.store;

import io.docshift.db.Jdbc;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import javax.sql.DataSource;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Optional;

/**
 * All SQL on {@code docshift.idempotency_key}. A key is claimed in the transaction of the insert it guards, so a
 * concurrent request with the same key (on any pod) waits for that transaction, then finds the stored response;
 * if the first request failed and rolled back, the key is free again.
 */
@ApplicationScoped
public class IdempotencyStore {

    private static final Logger LOG = Logger.getLogger(IdempotencyStore.class);

    /** A response stored under a key, and the hash of the request that produced it. */
    public record Stored(String requestHash, int status, String location, String etag, String body) {
    }

    @Inject
    DataSource dataSource;
    @Inject
    io.docshift.document.DocumentsConfig config;

    /**
     * Claims {@code key} for a request in the current transaction: empty when it is this request's to answer (new,
     * or expired), else what the key holds (the committed response of an earlier request).
     */
    public Optional<Stored> claim(String scope, String key, String requestHash) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("insert into docshift.idempotency_key (scope, key, request_hash) values (?, ?, ?)"
                    + " on conflict (scope, key) do update set request_hash = excluded.request_hash, created_at = now(), status = null,"
                    + " location = null, etag = null, body = null where idempotency_key.created_at < now() - ? * interval '1 second' returning true")) {
                p.setString(1, scope);
                p.setString(2, key);
                p.setString(3, requestHash);
                p.setLong(4, config.idempotencyWindow().toSeconds());
                try (ResultSet r = p.executeQuery()) {
                    if (r.next()) {
                        return Optional.empty();
                    }
                }
            }
            try (PreparedStatement p = c.prepareStatement("select request_hash, status, location, etag, body from docshift.idempotency_key where scope = ? and key = ?")) {
                p.setString(1, scope);
                p.setString(2, key);
                try (ResultSet r = p.executeQuery()) {
                    r.next();
                    return Optional.of(new Stored(r.getString(1), r.getInt(2), r.getString(3), r.getString(4), r.getString(5)));
                }
            }
        });
    }

    /** The request hash a live (within the window) {@code key} was claimed with, without claiming it. */
    public Optional<String> claimedWith(String scope, String key) {
        return Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("select request_hash from docshift.idempotency_key where scope = ? and key = ?"
                    + " and created_at >= now() - ? * interval '1 second'")) {
                p.setString(1, scope);
                p.setString(2, key);
                p.setLong(3, config.idempotencyWindow().toSeconds());
                try (ResultSet r = p.executeQuery()) {
                    return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /** Stores the response of the request that claimed {@code key}, in its transaction. */
    public void record(String scope, String key, int status, String location, String etag, String body) {
        Jdbc.call(dataSource, c -> {
            try (PreparedStatement p = c.prepareStatement("update docshift.idempotency_key set status = ?, location = ?, etag = ?, body = ? where scope = ? and key = ?")) {
                p.setInt(1, status);
                p.setString(2, location);
                p.setString(3, etag);
                p.setString(4, body);
                p.setString(5, scope);
                p.setString(6, key);
                return p.executeUpdate();
            }
        });
    }

    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void prune() {
        try {
            Duration window = config.idempotencyWindow();
            Jdbc.call(dataSource, c -> {
                try (PreparedStatement p = c.prepareStatement("delete from docshift.idempotency_key where created_at < now() - ? * interval '1 second'")) {
                    p.setLong(1, window.toSeconds());
                    return p.executeUpdate();
                }
            });
        } catch (RuntimeException e) {
            LOG.warnf("Could not prune expired idempotency keys: %s", e.getMessage());
        }
    }
}
