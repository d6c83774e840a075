-- Imports into one table, all or nothing: lines arrive in chunks into a staging table of their own
-- (docshift_data.import_<id>), each validated on arrival; the commit moves them into the table in one
-- transaction, or, if any line was refused, stores nothing.
create table import (
    id             bigint generated always as identity primary key,
    table_name     text not null,
    mode           text not null check (mode in ('append', 'replace')),
    state          text not null check (state in ('open', 'committed', 'aborted')),
    schema_version int not null,
    lines          bigint not null default 0,
    violating      bigint not null default 0,
    reassigned     bigint not null default 0,
    created_at     timestamptz not null default now(),
    finished_at    timestamptz
);

-- The refused lines of an import, with what is wrong (the first 1,000 of them; "violating" counts all).
create table import_violation (
    import_id bigint not null references import (id) on delete cascade,
    line      bigint not null,
    path      text not null,
    message   text not null
);
create index import_violation_by_import on import_violation (import_id, line);
