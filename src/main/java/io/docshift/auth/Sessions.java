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
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * Dashboard sessions: after a person signs in with an API key, the browser holds a cookie naming the key (never
 * its secret), a fingerprint of that secret, a session id and an expiry, signed with HMAC-SHA256 under a key kept
 * in the database, so every pod accepts it. The cookie is HttpOnly and SameSite=Strict, has no Max-Age (it ends
 * with the browser session), and dies with its key: when the key is removed, when its secret changes under the
 * same name (the fingerprint no longer matches), and when the person signs out (the id is revoked on every pod).
 */
@ApplicationScoped
public class Sessions {

    public static final String COOKIE = "docshift_session";
    /** A session lasts at most this long, even in a browser left open. */
    static final Duration LIFETIME = Duration.ofHours(12);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64 = Base64.getUrlEncoder().withoutPadding();

    @Inject
    ApiKeys keys;
    @Inject
    RevokedSessions revoked;
    @Inject
    DataSource dataSource;

    volatile SecretKeySpec secret;

    /** A cookie's parts: {@code <key>.<fingerprint>.<id>.<expires>.<mac>}, the key's name being the only free text. */
    record Cookie(String key, String fingerprint, String id, long expires, String payload, String mac) {

        static Optional<Cookie> parse(String value) {
            String[] tail = new String[4];
            int end = value.length();
            for (int i = 3; i >= 0; i--) {
                int dot = value.lastIndexOf('.', end - 1);
                if (dot <= 0) {
                    return Optional.empty();
                }
                tail[i] = value.substring(dot + 1, end);
                end = dot;
            }
            try {
                return Optional.of(new Cookie(value.substring(0, end), tail[0], tail[1], Long.parseLong(tail[2]),
                        value.substring(0, value.lastIndexOf('.')), tail[3]));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
    }

    /** The cookie value for a new session of {@code key}. */
    public String issue(ApiKeys.Entry key) {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        String payload = key.name() + "." + fingerprint(key) + "." + BASE64.encodeToString(id) + "." + (System.currentTimeMillis() + LIFETIME.toMillis());
        return payload + "." + mac(payload);
    }

    /** The key of a valid session cookie value: signed by us, not expired, not signed out of, its key unchanged. */
    public Optional<ApiKeys.Entry> verify(String value) {
        return signed(value)
                .filter(c -> c.expires() >= System.currentTimeMillis() && !revoked.isRevoked(c.id()))
                .flatMap(c -> keys.named(c.key()).filter(k -> MessageDigest.isEqual(fingerprint(k).getBytes(StandardCharsets.US_ASCII),
                        c.fingerprint().getBytes(StandardCharsets.US_ASCII))));
    }

    /** Signs out: the session of this cookie value ends on every pod, whoever replays the cookie afterwards. */
    public void end(String value) {
        signed(value).ifPresent(c -> revoked.revoke(c.id(), c.expires()));
    }

    private Optional<Cookie> signed(String value) {
        return value == null ? Optional.empty() : Cookie.parse(value).filter(c -> MessageDigest.isEqual(mac(c.payload()).getBytes(StandardCharsets.US_ASCII),
                c.mac().getBytes(StandardCharsets.US_ASCII)));
    }

    /** Names the key's secret without revealing it: a new secret under the same name has another fingerprint. */
    static String fingerprint(ApiKeys.Entry key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("docshift-session-fingerprint:".getBytes(StandardCharsets.US_ASCII));
            return BASE64.encodeToString(sha.digest(key.digest())).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(secret());
            return BASE64.encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
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
