package io.docshift.auth;

import org.junit.jupiter.api.Test;

import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A dashboard session dies with its key: the cookie names the key and a fingerprint of its secret. */
class SessionsTest {

    static final ApiKeys.Entry OPS = new ApiKeys.Entry("ops", ApiKeys.digest("first-secret-0123456789"), Scope.ADMIN);
    static final ApiKeys.Entry OPS_ROTATED = new ApiKeys.Entry("ops", ApiKeys.digest("second-secret-0123456789"), Scope.ADMIN);

    @Test
    void aCookieNamesItsKeyAndNeverItsSecret() {
        String cookie = sessions(OPS).issue(OPS);
        assertTrue(cookie.startsWith("ops."), cookie);
        assertTrue(!cookie.contains("first-secret"), cookie);
        assertEquals("ops", sessions(OPS).verify(cookie).orElseThrow().name());
    }

    @Test
    void aNewSecretUnderTheSameNameEndsItsSessions() {
        String cookie = sessions(OPS).issue(OPS);
        assertTrue(sessions(OPS_ROTATED).verify(cookie).isEmpty(), "the secret changed: the session signed in with the old one ends");
        assertTrue(sessions(OPS_ROTATED).verify(sessions(OPS_ROTATED).issue(OPS_ROTATED)).isPresent());
    }

    @Test
    void aTamperedOrOldFormCookieIsRefused() {
        Sessions sessions = sessions(OPS);
        String cookie = sessions.issue(OPS);
        String longer = cookie.replaceFirst("\\.(\\d+)\\.", ".9$1.");
        assertTrue(sessions.verify(longer).isEmpty(), "a changed expiry breaks the signature");
        assertTrue(sessions.verify("ops.4102444800000.AAAA").isEmpty(), "a cookie of the old form (no fingerprint, no id)");
        assertTrue(sessions.verify("").isEmpty());
        assertTrue(sessions.verify("....").isEmpty());
    }

    private static Sessions sessions(ApiKeys.Entry key) {
        Sessions sessions = new Sessions();
        sessions.keys = new ApiKeys() {
            @Override
            public Optional<Entry> named(String name) {
                return name.equals(key.name()) ? Optional.of(key) : Optional.empty();
            }
        };
        sessions.revoked = new RevokedSessions();
        sessions.secret = new SecretKeySpec("the-pods-shared-signing-key".getBytes(StandardCharsets.UTF_8), "HmacSHA256");
        return sessions;
    }
}
