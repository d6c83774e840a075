-- An import into a table that does not exist yet reserves the table's number (its ids embed it) without
-- creating the table: the registry row is written with created = false, and the physical table is created only
-- when the import commits (or when anything else creates the table, which then takes the reserved number). A
-- refused or aborted import so leaves no table behind; its reservation is deleted with it.
alter table doc_table add column created boolean not null default true;

-- The number the import's ids embed: the table's, or the one it reserved.
alter table import add column table_number int;
