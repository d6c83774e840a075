-- How long a run has worked, summed over every time a worker held it: each of the worker's writes to the run
-- (a batch's commit, a new pass, the end) adds the time since its previous one (heartbeat_at). Time spent
-- pending, failed, cancelled, outside its window, or in a batch that was undone is not work, and the span from
-- started_at to finished_at counted all of it.
alter table migration_run add column worked_ms bigint not null default 0;

-- Runs that ended before this column existed: their span is the best figure there is.
update migration_run set worked_ms = (extract(epoch from finished_at - started_at) * 1000)::bigint
where finished_at is not null and started_at is not null and finished_at > started_at;

-- A run reads "rolledBack" when a completed rollback names it: looked up for every run a view shows.
create index migration_run_by_rollback_of on migration_run (rollback_of) where rollback_of is not null;
