-- A transition may bring one table through a series of declarative migrations: one sweep run applies them all,
-- in order; "series" names them (its first is the run's "migration").
alter table migration_run add column series text[];
-- A sweep reports documents whose body changed ("changed") apart from those only stamped with the new version.
alter table migration_run add column stamped bigint not null default 0;
-- Backups are kept for docshift.migrations.backup-retention after their run finished, or until dropped by hand;
-- a run whose backups are gone can no longer be rolled back.
alter table migration_run add column backups_dropped_at timestamptz;
create index migration_backup_by_run on migration_backup (run_id);

-- The event of a run carries its stamped count too.
create or replace function run_json(r docshift.migration_run) returns jsonb language sql stable as $$
    select jsonb_build_object('runId', r.id, 'migration', r.migration, 'series', r.series, 'state', r.state, 'processed', r.processed,
        'changed', r.changed, 'stamped', r.stamped, 'total', r.total, 'owner', r.owner, 'transitionId', r.transition_id,
        'rollbackOf', r.rollback_of, 'startedAt', r.started_at, 'finishedAt', r.finished_at,
        'error', case when r.error_message is null then null else jsonb_build_object('_id', r.error_id, 'message', r.error_message) end)
$$;
