-- What happened, for the dashboard and any client of GET /api/events: every pod serves the same stream, read
-- from this table, so a browser connected to one pod sees a run worked by another, and a client reconnecting
-- to any pod with Last-Event-ID gets what it missed. Triggers write the events in the transaction that makes
-- the change, whichever code made it, and announce them with NOTIFY when it commits. Kept for an hour.
create table event (
    id      bigint generated always as identity primary key,
    at      timestamptz not null default clock_timestamp(),
    kind    text not null,
    subject text not null,
    data    jsonb not null
);
create index event_by_subject on event (subject, id);
create index event_by_time on event (at);

create function record_event(event_kind text, event_subject text, event_data jsonb) returns void language plpgsql as $$
declare
    new_id bigint;
begin
    insert into docshift.event (kind, subject, data) values (event_kind, event_subject, event_data) returning id into new_id;
    perform pg_notify('docshift', 'event:' || new_id);
end
$$;

create function run_json(r docshift.migration_run) returns jsonb language sql stable as $$
    select jsonb_build_object('runId', r.id, 'migration', r.migration, 'state', r.state, 'processed', r.processed, 'changed', r.changed,
        'total', r.total, 'owner', r.owner, 'transitionId', r.transition_id, 'rollbackOf', r.rollback_of,
        'startedAt', r.started_at, 'finishedAt', r.finished_at,
        'error', case when r.error_message is null then null else jsonb_build_object('_id', r.error_id, 'message', r.error_message) end)
$$;

-- A run's state changes always; its progress at most five times a second.
create function migration_run_event() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' or new.state is distinct from old.state or new.owner is distinct from old.owner then
        perform docshift.record_event('run.state', 'run:' || new.id, docshift.run_json(new));
    elsif new.processed is distinct from old.processed or new.position is distinct from old.position then
        if coalesce((select e.at < clock_timestamp() - interval '200 milliseconds' from docshift.event e
                     where e.subject = 'run:' || new.id and e.kind = 'run.progress' order by e.id desc limit 1), true) then
            perform docshift.record_event('run.progress', 'run:' || new.id, docshift.run_json(new));
        end if;
    end if;
    return null;
end
$$;
create trigger migration_run_events after insert or update on migration_run for each row execute function migration_run_event();

create function transition_event() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' or new.state is distinct from old.state then
        perform docshift.record_event('transition.state', 'transition:' || new.id, jsonb_build_object('id', new.id,
            'fromVersion', new.from_version, 'toVersion', new.to_version, 'state', new.state, 'error', new.error));
    end if;
    return null;
end
$$;
create trigger transition_events after insert or update on transition for each row execute function transition_event();

create function schema_state_event() returns trigger language plpgsql as $$
begin
    if new.active_version is distinct from old.active_version then
        perform docshift.record_event('schema.activated', 'schema', jsonb_build_object('version', new.active_version,
            'hash', (select v.hash from docshift.schema_version v where v.version = new.active_version)));
    end if;
    return null;
end
$$;
create trigger schema_state_events after update on schema_state for each row execute function schema_state_event();

create function doc_index_event() returns trigger language plpgsql as $$
declare
    r docshift.doc_index;
begin
    r := case when tg_op = 'DELETE' then old else new end;
    if tg_op <> 'UPDATE' or new.state is distinct from old.state then
        perform docshift.record_event('index.state', 'index:' || r.physical, jsonb_build_object('table', r.table_name, 'name', r.name,
            'fields', r.fields, 'state', case when tg_op = 'DELETE' then 'dropped' else r.state end, 'error', r.error));
    end if;
    return null;
end
$$;
create trigger doc_index_events after insert or update or delete on doc_index for each row execute function doc_index_event();

-- The key that signs dashboard sessions (a cookie naming the API key it was signed in with), shared by every pod.
insert into setting (key, value)
values ('session_secret', replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
