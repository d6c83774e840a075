package io.docshift.auth;

/** What a key may do; each scope includes the ones before it. */
public enum Scope {
    /** GET documents, index queries and the schema. */
    READ,
    /** Plus document writes. */
    WRITE,
    /** Plus schema pushes and plans, migration definitions, runs, cancel, resume and rollbacks, transitions. */
    ADMIN;

    public boolean covers(Scope needed) {
        return ordinal() >= needed.ordinal();
    }
}
