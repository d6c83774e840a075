package io.docshift.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.util.Map;

/**
 * API keys. In production the secrets come from a Kubernetes Secret as environment variables, e.g.
 * {@code DOCSHIFT_AUTH_KEYS_ORDERS_SECRET} and {@code DOCSHIFT_AUTH_KEYS_ORDERS_SCOPES=read,write}.
 */
@ConfigMapping(prefix = "docshift.auth")
public interface AuthConfig {

    /** Whether requests to /api need a key. On by default in the prod profile; dev and test run open. */
    @WithDefault("false")
    boolean enabled();

    /** Keys by name (the name appears in logs, never the secret). */
    Map<String, Key> keys();

    /** One API key. */
    interface Key {

        /** The bearer token clients send; at least 16 characters. */
        String secret();

        /** Comma-separated: read, write, admin (each includes the ones before it). */
        @WithDefault("read")
        String scopes();
    }
}
