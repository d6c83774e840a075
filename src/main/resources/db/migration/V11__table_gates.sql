-- The write gate, one per table. A writer enters its table's gate (a shared advisory lock, held to the end of
-- its transaction) and only then reads the active version and the open transition: in a VOLATILE function each
-- query takes a fresh snapshot, so a writer that waited for an activation sees the version it switched to
-- (a query that took the lock itself would still see the one before). wait_ms bounds the wait (lock_timeout):
-- a writer that cannot enter gets SQLSTATE 55P03 and answers 503 instead of holding its connection.
create function enter_gate(gate int, tab int, wait_ms int) returns table (active_version int, transition_id bigint)
language plpgsql volatile as $$
declare
    before text := current_setting('lock_timeout');
begin
    perform set_config('lock_timeout', wait_ms || 'ms', true);
    perform pg_advisory_xact_lock_shared(gate, tab);
    perform set_config('lock_timeout', before, true);
    return query select coalesce((select s.active_version from docshift.schema_state s), 0),
                        coalesce((select max(t.id) from docshift.transition t where t.state in ('migrating', 'verifying', 'failed')), 0);
end
$$;

-- What an activation re-checks under the closed gate is what was written since its mark (revision > mark):
-- a b-tree on revision keeps that proportional to the writes made meanwhile, not to the table. (A BRIN index
-- was tried first: inserts that reuse free space all over a table after a migration's updates touch most of
-- its page ranges, and the re-check read the whole table, 1.3 s on 1,000,000 documents.)
do $$
declare
    t record;
begin
    for t in select number from docshift.doc_table loop
        execute format('create index if not exists %I on docshift_data.%I (revision)',
                       'doc_' || t.number || '_revision', 'doc_' || t.number);
    end loop;
end
$$;
