package io.docshift.error;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which database failures are overload (503 with Retry-After), and whether PostgreSQL undid the statement. */
class OverloadTest {

    @Test
    void busyAndAwayAreOverloadNotBugs() {
        for (String state : new String[]{"55P03", "40001", "40P01", "57014", "53300", "25006"}) {
            ProblemMapper.Overload o = ProblemMapper.Overload.of(new SQLException("x", state));
            assertTrue(o != null && o.rolledBack() && o.retryAfterSeconds() >= 1, state);
        }
        for (String state : new String[]{"08006", "08001", "57P01"}) {
            ProblemMapper.Overload o = ProblemMapper.Overload.of(new SQLException("x", state));
            assertFalse(o.rolledBack(), state + ": the outcome of a write in flight is unknown");
        }
        assertEquals("pool", ProblemMapper.Overload.of(new SQLException("Sorry, acquisition timeout!")).reason());
        assertNull(ProblemMapper.Overload.of(new SQLException("syntax", "42601")), "a bug stays a 500");
        assertNull(ProblemMapper.Overload.of(new SQLException("unique", "23505")));
    }
}
