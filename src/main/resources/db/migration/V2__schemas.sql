-- Every document write takes a number from this sequence (the row's "revision"), so a schema push can
-- re-check exactly the documents written after its scan began.
create sequence write_seq;

-- Every schema ever applied; versions are never deleted.
create table schema_version (
    version      int primary key,
    hash         text not null,
    source       jsonb not null,
    changes      jsonb not null,
    created_at   timestamptz not null default now(),
    activated_at timestamptz
);
create index schema_version_hash on schema_version (hash);

-- The one active version. Writers read it under a shared advisory lock in their own transaction.
create table schema_state (
    id             int primary key default 1 check (id = 1),
    active_version int references schema_version (version)
);
insert into schema_state (id) values (1);

-- Indexes declared by the active schema, and those being dropped.
create table doc_index (
    physical   text primary key,
    table_name text not null,
    name       text not null,
    fields     jsonb not null,
    state      text not null check (state in ('building', 'ready', 'failed', 'dropping')),
    error      text,
    created_at timestamptz not null default now(),
    ready_at   timestamptz
);
create unique index doc_index_live_name on doc_index (table_name, name) where state <> 'dropping';
