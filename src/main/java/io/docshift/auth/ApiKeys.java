package io.docshift.auth;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The configured API keys, kept only as SHA-256 digests. A presented token is hashed and compared with every
 * key in constant time ({@link MessageDigest#isEqual}), and always with all of them, so timing reveals
 * neither a secret nor which key matched.
 */
@ApplicationScoped
public class ApiKeys {

    private static final Logger LOG = Logger.getLogger(ApiKeys.class);
    static final int MIN_SECRET_LENGTH = 16;

    /** A key as kept in memory. */
    public record Entry(String name, byte[] digest, Scope scope) {
    }

    @Inject
    AuthConfig config;

    private volatile List<Entry> entries = List.of();

    void onStart(@Observes StartupEvent ignored) {
        if (!config.enabled()) {
            LOG.warn("Access control is OFF (docshift.auth.enabled=false): every request to /api is allowed. Turn it on outside dev and test.");
            return;
        }
        List<Entry> loaded = new ArrayList<>();
        for (Map.Entry<String, AuthConfig.Key> e : config.keys().entrySet()) {
            String secret = e.getValue().secret();
            if (secret.length() < MIN_SECRET_LENGTH) {
                throw new IllegalStateException("docshift.auth.keys." + e.getKey() + ".secret is shorter than " + MIN_SECRET_LENGTH + " characters");
            }
            loaded.add(new Entry(e.getKey(), digest(secret), highest(e.getKey(), e.getValue().scopes())));
        }
        if (loaded.isEmpty()) {
            LOG.error("Access control is on but no key is configured (docshift.auth.keys.<name>.secret): every request to /api will be refused with 401");
        } else {
            LOG.infof("Access control is on: %d API key(s): %s", loaded.size(), loaded.stream().map(k -> k.name() + "=" + k.scope().name().toLowerCase(Locale.ROOT)).toList());
        }
        entries = List.copyOf(loaded);
    }

    public boolean enabled() {
        return config.enabled();
    }

    /** The key called {@code name}, if it is (still) configured. */
    public Optional<Entry> named(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** The key whose secret is {@code token}, if any. */
    public Optional<Entry> find(String token) {
        byte[] presented = digest(token);
        Entry found = null;
        for (Entry e : entries) {
            if (MessageDigest.isEqual(e.digest(), presented)) {
                found = e;
            }
        }
        return Optional.ofNullable(found);
    }

    private static Scope highest(String name, String scopes) {
        Scope best = null;
        for (String s : scopes.split(",")) {
            Scope scope;
            try {
                scope = Scope.valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("docshift.auth.keys." + name + ".scopes: unknown scope '" + s.trim() + "' (read, write, admin)");
            }
            best = best == null || scope.covers(best) ? scope : best;
        }
        return best;
    }

    static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
