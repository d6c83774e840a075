package io.docshift.document;

import io.docshift.error.InvalidRequest;

import java.util.regex.Pattern;

/** Rules for logical table names, checked before a name goes anywhere near SQL. */
public final class TableName {

    public static final Pattern VALID = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,63}");

    private TableName() {
    }

    /** Returns {@code name} when it matches {@code ^[A-Za-z][A-Za-z0-9_]{0,63}$}, otherwise a 400 naming {@code path}. */
    public static String require(String name, String path) {
        if (name == null || !VALID.matcher(name).matches()) {
            throw InvalidRequest.at(path, "table names match ^[A-Za-z][A-Za-z0-9_]{0,63}$");
        }
        return name;
    }
}
