-- At most one active run per migration, whoever asks and however often: a client retry or a double click
-- that races another request gets a unique violation (answered 409 naming the existing run), never a second
-- run. Older databases may hold duplicates from before this index: keep the oldest, cancel the others.
update migration_run r set state = 'cancelled', finished_at = now(),
    error_message = 'cancelled when Docshift began allowing one active run per migration'
where state in ('pending', 'running')
  and exists (select 1 from migration_run o where o.migration = r.migration and o.state in ('pending', 'running') and o.id < r.id);
create unique index migration_run_one_active on migration_run (migration) where state in ('pending', 'running');

-- Every pod beats its heart here about once a second, from a thread of its own: a lock holder whose pod has
-- not beaten for docshift.coordination.stale-after is paused or cut off, and loses its locks to a pod that
-- needs them. The rows also tell which pods are working.
create table worker (
    id           text primary key,
    started_at   timestamptz not null default now(),
    heartbeat_at timestamptz not null default now()
);

-- Who holds each of Docshift's session advisory locks: written in the very statement that takes the lock,
-- so a row whose backend holds the lock always names the holding pod.
create table lock_holder (
    purpose int not null,
    object  int not null,
    worker  text not null,
    pid     int not null,
    since   timestamptz not null default now(),
    primary key (purpose, object)
);

-- The first key of every advisory lock: one value for the whole database, so no two pods can disagree on it.
insert into setting (key, value) values ('lock_namespace', '1146290176') on conflict (key) do nothing;

