package io.docshift.cli;

import java.io.PrintStream;
import java.text.NumberFormat;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the CLI prints and how: tables, colours and a progress line on a terminal; plain lines without escape
 * codes in a pipe, or when {@code NO_COLOR} is set. Progress on a terminal redraws one line; in a pipe it
 * prints a line at most every few seconds.
 */
final class Term {

    /** The variable that turns colours off (https://no-color.org). */
    static final String NO_COLOR = "NO_COLOR";
    private static final long PIPE_PROGRESS_NANOS = 2_000_000_000L;
    private final PrintStream out;
    private final boolean terminal;
    private final boolean color;
    private long lastProgress;
    private long lastDone = -1;
    private boolean progressShown;

    Term(PrintStream out, boolean terminal, boolean noColor) {
        this.out = out;
        this.terminal = terminal;
        this.color = terminal && !noColor && System.getenv(NO_COLOR) == null;
    }

    /** The standard output, as a terminal when both standard input and output are one. */
    static Term system(boolean noColor) {
        return new Term(System.out, System.console() != null, noColor);
    }

    boolean terminal() {
        return terminal;
    }

    void line(String s) {
        endProgress();
        out.println(s);
    }

    String bold(String s) {
        return color ? "\u001b[1m" + s + "\u001b[0m" : s;
    }

    String green(String s) {
        return color ? "\u001b[32m" + s + "\u001b[0m" : s;
    }

    String red(String s) {
        return color ? "\u001b[31m" + s + "\u001b[0m" : s;
    }

    String yellow(String s) {
        return color ? "\u001b[33m" + s + "\u001b[0m" : s;
    }

    /** A column-aligned table with a header row. */
    void table(List<String> headers, List<List<String>> rows) {
        endProgress();
        int[] widths = new int[headers.size()];
        for (int i = 0; i < headers.size(); i++) {
            widths[i] = headers.get(i).length();
        }
        for (List<String> row : rows) {
            for (int i = 0; i < row.size() && i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row.get(i) == null ? 1 : visible(row.get(i)));
            }
        }
        out.println(bold(pad(headers, widths)));
        for (List<String> row : rows) {
            out.println(pad(row, widths));
        }
    }

    /** The length of {@code s} on screen, without its colour codes. */
    private static int visible(String s) {
        return s.replaceAll("\u001b\\[[0-9;]*m", "").length();
    }

    private static String pad(List<String> cells, int[] widths) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < widths.length; i++) {
            String c = i < cells.size() && cells.get(i) != null ? cells.get(i) : "-";
            b.append(c);
            if (i < widths.length - 1) {
                b.append(" ".repeat(widths[i] - visible(c) + 2));
            }
        }
        return b.toString().stripTrailing();
    }

    /**
     * Shows progress: on a terminal a bar redrawn in place, in a pipe a plain line now and then.
     *
     * @param label what is progressing, e.g. the migration
     * @param done  processed so far
     * @param total expected in all (0: unknown, and then only the count is shown)
     * @param rate  per second, or negative when unknown
     * @param tail  more to say (the pod working it)
     */
    void progress(String label, long done, long total, double rate, String tail) {
        long now = System.nanoTime();
        boolean finished = total > 0 && done >= total;
        if (!terminal && progressShown && (now - lastProgress < PIPE_PROGRESS_NANOS && !finished || done == lastDone)) {
            return;
        }
        lastDone = done;
        lastProgress = now;
        progressShown = true;
        String eta = rate > 0 && total > done ? " ETA " + duration(Duration.ofSeconds((long) Math.ceil((total - done) / rate))) : "";
        String numbers = number(done) + (total > 0 ? "/" + number(total) : "") + (rate >= 0 ? "  " + number(Math.round(rate)) + " docs/s" : "") + eta
                + (tail == null || tail.isEmpty() ? "" : "  " + tail);
        // without a total there is no fraction to draw: the count alone says how far it got
        String gauge = total <= 0 ? "" : (terminal ? bar(done, total) : percent(done, total)) + " ";
        if (terminal) {
            out.print("\r\u001b[2K" + label + " " + gauge + numbers);
            out.flush();
        } else {
            out.println(label + " " + gauge + numbers);
        }
    }

    /** Ends a progress bar being redrawn, so the next line starts on a line of its own. */
    void endProgress() {
        if (terminal && progressShown) {
            out.println();
        }
        progressShown = false;
    }

    private String bar(long done, long total) {
        int width = 30;
        int filled = (int) Math.min(width, done * width / total);
        return "[" + green("#".repeat(filled)) + "-".repeat(width - filled) + "] " + percent(done, total);
    }

    private static String percent(long done, long total) {
        return String.format(Locale.ROOT, "%3d%%", Math.min(100, done * 100 / total));
    }

    /** A number with grouped thousands: 1,234,567. */
    static String number(long n) {
        return NumberFormat.getIntegerInstance(Locale.US).format(n);
    }

    /** A count and its noun, singular for one: "1 change", "2,000 documents". */
    static String count(long n, String singular, String plural) {
        return number(n) + " " + (n == 1 ? singular : plural);
    }

    /** A count and a noun made plural with "s": "1 change", "3 changes". */
    static String count(long n, String singular) {
        return count(n, singular, singular + "s");
    }

    static String duration(Duration d) {
        long s = d.toSeconds();
        return s < 60 ? s + "s" : s < 3600 ? (s / 60) + "m" + String.format(Locale.ROOT, "%02d", s % 60) + "s"
                : (s / 3600) + "h" + String.format(Locale.ROOT, "%02d", (s % 3600) / 60) + "m";
    }

    /** The first {@code n} characters (of a hash, say). */
    static String abbrev(String s, int n) {
        return s == null || s.length() <= n ? s : s.substring(0, n);
    }

    /** Splits cells that are too long for a table. */
    static String cut(String s, int max) {
        if (s == null) {
            return null;
        }
        String one = s.replace('\n', ' ');
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }

    static List<String> row(Object... cells) {
        List<String> out = new ArrayList<>(cells.length);
        for (Object c : cells) {
            out.add(c == null ? null : c.toString());
        }
        return out;
    }
}
