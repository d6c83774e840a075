-- A transition takes the data from the active schema version to a target version through the migrations
-- the target names. While it is open (migrating, verifying, failed) every pod accepts writes in either
-- shape and upgrades old documents when it reads them; the target becomes active once every document of
-- the affected tables is at the target version and valid under it.
create table transition (
    id           bigint generated always as identity primary key,
    from_version int references schema_version (version),
    to_version   int not null references schema_version (version),
    state        text not null check (state in ('migrating', 'verifying', 'active', 'failed', 'rollingBack', 'rolledBack')),
    error        jsonb,
    started_at   timestamptz not null default now(),
    finished_at  timestamptz
);
-- At most one transition is open or rolling back at any time.
create unique index transition_one_open on transition ((true)) where state in ('migrating', 'verifying', 'failed', 'rollingBack');

-- A run may belong to a transition (it then brings every document below target_version to it, pass after
-- pass, until none is left), keep backups of the bodies it changes, or roll another run back.
alter table migration_run
    add column transition_id  bigint references transition (id),
    add column target_version int,
    add column backup         boolean not null default false,
    add column rollback_of    bigint references migration_run (id);
create index migration_run_by_transition on migration_run (transition_id) where transition_id is not null;

-- The body a run found before it changed a document, written in the same transaction as the change.
-- "revision" is the revision the run gave the document: a later write makes the backup stale, and a
-- rollback never overwrites such a write with it.
create table migration_backup (
    run_id         bigint not null references migration_run (id),
    doc_id         uuid not null,
    data           jsonb not null,
    schema_version int not null,
    revision       bigint not null,
    primary key (run_id, doc_id)
);
