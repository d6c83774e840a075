package io.docshift.migration.store;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The states of a migration run, as stored in {@code docshift.migration_run.state} and shown by the API. */
public enum RunState {
    PENDING, RUNNING, COMPLETED, FAILED, CANCELLED;

    /** A run in one of these holds its migration: at most one per migration (a unique index says so). */
    public static final Set<RunState> ACTIVE = EnumSet.of(PENDING, RUNNING);
    /** A run in one of these has ended: it is in the migration log. */
    public static final Set<RunState> ENDED = EnumSet.of(COMPLETED, FAILED, CANCELLED);

    public String sql() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean active() {
        return ACTIVE.contains(this);
    }

    public static RunState of(String sql) {
        return valueOf(sql.toUpperCase(Locale.ROOT));
    }

    /** {@code ('a', 'b')} for an SQL {@code in} list. */
    static String sqlList(Set<RunState> states) {
        return states.stream().map(s -> "'" + s.sql() + "'").collect(Collectors.joining(", ", "(", ")"));
    }
}
