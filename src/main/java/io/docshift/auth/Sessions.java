package io.docshift.auth;

import io.docshift.db.Jdbc;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Dashboard sessions: after a person signs in with an API key, the browser holds a cookie naming the key (never
 * its secret) with an expiry, signed with HMAC-SHA256 under a key kept in the database, so every pod accepts it.
 * The cookie is HttpOnly and SameSite=Strict, has no Max-Age (it ends with the browser session), and dies as soon
 * as its key is removed from the configuration.
 */
@ApplicationScoped
public class Sessions {

    public static final String COOKIE = "docshift_session";
    /** A session lasts at most this long, even in a browser left open. */
    static final Duration LIFETIME = Duration.ofHours(12);

    @Inject
    ApiKeys keys;
    @Inject
    DataSource dataSource;

    private volatile SecretKeySpec secret;

    /** The cookie value for a session of {@code key}. */
    public String issue(ApiKeys.Entry key) {
        String payload = key.name() + "." + (System.currentTimeMillis() + LIFETIME.toMillis());
        return payload + "." + mac(payload);
    }

    /** The key of a valid session cookie value. */
    public Optional<ApiKeys.Entry> verify(String cookie) {
        int last = cookie.lastIndexOf('.');
        int first = cookie.indexOf('.');
        if (first <= 0 || last <= first) {
            return Optional.empty();
        }
        String payload = cookie.substring(0, last);
        if (!MessageDigest.isEqual(mac(payload).getBytes(StandardCharsets.US_ASCII), cookie.substring(last + 1).getBytes(StandardCharsets.US_ASCII))) {
            return Optional.empty();
        }
        long expires;
        try {
            expires = Long.parseLong(cookie.substring(first + 1, last));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (expires < System.currentTimeMillis()) {
            return Optional.empty();
        }
        return keys.named(cookie.substring(0, first));
    }

    private String mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secret());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private SecretKeySpec secret() {
        SecretKeySpec s = secret;
        if (s == null) {
            s = Jdbc.call(dataSource, c -> {
                try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("select value from docshift.setting where key = 'session_secret'")) {
                    if (!r.next()) {
                        throw new IllegalStateException("docshift.setting has no session_secret; the Flyway migrations did not run");
                    }
                    return new SecretKeySpec(r.getString(1).getBytes(StandardCharsets.UTF_8), "HmacSHA256");
                }
            });
            secret = s;
        }
        return s;
    }
}
