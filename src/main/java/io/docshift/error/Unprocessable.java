package io.docshift.error;

import java.util.List;

/** The request is well-formed but the data in the database does not allow it: 422. */
public class Unprocessable extends DocshiftException {

    private final List<?> tables;

    public Unprocessable(String detail, List<Violation> violations, List<?> tables) {
        super(detail, violations);
        this.tables = List.copyOf(tables);
    }

    @Override
    public List<?> tables() {
        return tables;
    }
}
