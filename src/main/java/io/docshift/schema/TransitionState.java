package io.docshift.schema;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The states of a schema transition, named once for Java and SQL alike. While a transition is {@link #OPEN},
 * every pod accepts writes in either shape and upgrades old documents on read.
 */
public enum TransitionState {
    MIGRATING, VERIFYING, ACTIVE, FAILED, ROLLING_BACK, ROLLED_BACK;

    /** The states in which a transition is open: migrating, verifying, failed. */
    public static final Set<TransitionState> OPEN = EnumSet.of(MIGRATING, VERIFYING, FAILED);
    /** The states in which a transition still holds the stage: open, or rolling back. */
    public static final Set<TransitionState> UNFINISHED = EnumSet.of(MIGRATING, VERIFYING, FAILED, ROLLING_BACK);
    /** {@link #OPEN} as a SQL list, {@code ('migrating', 'verifying', 'failed')}. */
    public static final String OPEN_SQL = sqlList(OPEN);

    /** The name stored in {@code docshift.transition.state} and shown by the API: {@code rollingBack}. */
    public String sql() {
        String[] words = name().toLowerCase(Locale.ROOT).split("_");
        StringBuilder out = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            out.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return out.toString();
    }

    public boolean open() {
        return OPEN.contains(this);
    }

    public static TransitionState of(String sql) {
        return Arrays.stream(values()).filter(s -> s.sql().equals(sql)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown transition state " + sql));
    }

    /** {@code ('a', 'b')} for an SQL {@code in} list. */
    public static String sqlList(Set<TransitionState> states) {
        return states.stream().map(s -> "'" + s.sql() + "'").collect(Collectors.joining(", ", "(", ")"));
    }
}
