-- Rehearsals of a schema transition on a copy of the documents (POST /api/schema/rehearsals): each row is one
-- rehearsal and its report, kept so that any pod can answer GET /api/schema/rehearsals/{id}; the latest
-- docshift.rehearsal.keep of them are kept. The copy itself lives in schema docshift_rehearsal while it runs.
create table rehearsal (
    id          bigint generated always as identity primary key,
    state       text not null check (state in ('running', 'completed', 'failed')),
    worker      text not null,
    report      jsonb not null,
    started_at  timestamptz not null default now(),
    finished_at timestamptz
);
