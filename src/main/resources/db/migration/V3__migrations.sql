-- Migration definitions: declarative (steps) or Java (a CDI bean). The checksum detects a definition that
-- changed after it completed (Flyway's validate).
create table migration (
    name       text primary key,
    kind       text not null check (kind in ('declarative', 'java')),
    definition jsonb not null,
    checksum   text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

-- Runs: each batch commits the documents it changed together with the run's position and counters,
-- so a run resumes exactly where its last committed batch ended, whichever worker picks it up.
create table migration_run (
    id            bigint generated always as identity primary key,
    migration     text not null references migration (name),
    checksum      text not null,
    args          jsonb not null default '{}',
    state         text not null check (state in ('pending', 'running', 'completed', 'failed', 'cancelled')),
    position      uuid,
    processed     bigint not null default 0,
    changed       bigint not null default 0,
    total         bigint not null default 0,
    max_documents bigint,
    batch_size    int not null default 100,
    owner         text,
    heartbeat_at  timestamptz,
    error_id      text,
    error_message text,
    requested_at  timestamptz not null default now(),
    started_at    timestamptz,
    finished_at   timestamptz
);
create index migration_run_active on migration_run (id) where state in ('pending', 'running');
create index migration_run_by_migration on migration_run (migration, id);

-- Raised by a declarative step that cannot apply to a document (a value that cannot convert).
create function migration_fail(message text) returns jsonb language plpgsql as $$
begin
    raise exception '%', message using errcode = '22023';
end
$$;

-- A document id as clients see it (26 characters of Crockford base32) from its uuid column.
create function id_text(u uuid) returns text language sql immutable parallel safe as $$
    select string_agg(substr('0123456789abcdefghjkmnpqrstvwxyz', substring(b from 5 * i + 1 for 5)::int + 1, 1), '' order by i)
    from (select B'00' || ('x' || replace(u::text, '-', ''))::bit(128) as b) x, generate_series(0, 25) i
$$;
