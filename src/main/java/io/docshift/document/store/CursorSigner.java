package io.docshift.document.store;

import io.docshift.db.Jdbc;
import io.docshift.error.InvalidRequest;
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
import java.util.Arrays;
import java.util.Base64;

/**
 * Makes pagination cursors opaque and tamper-evident: a cursor is its payload followed by a truncated
 * HMAC-SHA256 under a key kept in the database, so every pod accepts every other pod's cursors and a
 * forged or edited cursor is a 400, never a query at an arbitrary position.
 */
@ApplicationScoped
public class CursorSigner {

    private static final int MAC_BYTES = 16;

    @Inject
    DataSource dataSource;

    private volatile SecretKeySpec key;

    public String sign(byte[] payload) {
        byte[] mac = mac(payload);
        byte[] out = Arrays.copyOf(payload, payload.length + MAC_BYTES);
        System.arraycopy(mac, 0, out, payload.length, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    }

    /** The payload of a cursor this deployment signed; a 400 naming {@code path} for anything else. */
    public byte[] verify(String cursor, String path) {
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(cursor);
        } catch (IllegalArgumentException e) {
            throw InvalidRequest.at(path, "not a cursor returned by this service");
        }
        if (raw.length <= MAC_BYTES) {
            throw InvalidRequest.at(path, "not a cursor returned by this service");
        }
        byte[] payload = Arrays.copyOf(raw, raw.length - MAC_BYTES);
        byte[] expected = Arrays.copyOf(mac(payload), MAC_BYTES);
        if (!MessageDigest.isEqual(expected, Arrays.copyOfRange(raw, payload.length, raw.length))) {
            throw InvalidRequest.at(path, "not a cursor returned by this service (signature mismatch)");
        }
        return payload;
    }

    private byte[] mac(byte[] payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key());
            return Arrays.copyOf(mac.doFinal(payload), MAC_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /** Loads the key at startup, so no request ever needs a second connection for it. */
    void onStart(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent ignored) {
        key();
    }

    private SecretKeySpec key() {
        SecretKeySpec k = key;
        if (k == null) {
            String secret = Jdbc.call(dataSource, c -> {
                try (Statement s = c.createStatement();
                     ResultSet r = s.executeQuery("select value from docshift.setting where key = 'cursor_secret'")) {
                    if (!r.next()) {
                        throw new IllegalStateException("docshift.setting has no cursor_secret; did Flyway run?");
                    }
                    return r.getString(1);
                }
            });
            k = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
            key = k;
        }
        return k;
    }
}
