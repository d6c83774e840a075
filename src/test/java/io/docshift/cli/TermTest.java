package io.docshift.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the CLI prints for counts and progress, in a pipe and on a terminal. */
class TermTest {

    @Test
    void progressWithoutATotalShowsTheCountAloneInAPipeAndOnATerminal() {
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        new Term(new PrintStream(pipe, true, StandardCharsets.UTF_8), false, true).progress("exported", 20_000, 0, -1, "customers");
        assertEquals("exported 20,000  customers\n", pipe.toString(StandardCharsets.UTF_8));

        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        new Term(new PrintStream(terminal, true, StandardCharsets.UTF_8), true, true).progress("importing customers", 5_000, 0, -1, null);
        assertEquals("\r\u001b[2Kimporting customers 5,000", terminal.toString(StandardCharsets.UTF_8));
    }

    @Test
    void progressWithATotalShowsItsShare() {
        ByteArrayOutputStream pipe = new ByteArrayOutputStream();
        new Term(new PrintStream(pipe, true, StandardCharsets.UTF_8), false, true).progress("backfill", 250, 1_000, -1, null);
        assertEquals("backfill  25% 250/1,000\n", pipe.toString(StandardCharsets.UTF_8));
    }

    @Test
    void countsAgreeWithTheirNouns() {
        assertEquals("1 change", Term.count(1, "change"));
        assertEquals("0 changes", Term.count(0, "change"));
        assertEquals("2,000 documents", Term.count(2_000, "document"));
        assertEquals("1 with a new id", Term.count(1, "with a new id", "with new ids"));
    }
}
