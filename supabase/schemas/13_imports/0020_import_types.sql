-- The file formats a statement is read from (packages/shared/src/imports/statement.ts).
create type public.statement_format as enum ('csv', 'ofx', 'qif', 'camt.053', 'camt.054', 'mt940');

-- A batch is previewing (the preview job is still staging and matching its rows), then previewed
-- (staged rows a member may still decide on), then committing (the commit job is writing it),
-- committed, and at most once undoing (the undo job is trashing its transactions) and undone. A
-- preview never committed is expired by the nightly purge (0110_purge_imports.sql): its rows and
-- file are gone, the batch row stays. New values go at the end: the order of an enum is its history.
create type public.import_batch_status as enum ('previewed', 'committing', 'committed', 'undone', 'previewing', 'expired', 'undoing');

-- What the preview found a row to be: not yet on the account, the duplicate of a transaction, or
-- in conflict with one (the bank's reference names a transaction whose amount differs).
create type public.import_row_status as enum ('new', 'duplicate', 'conflict');

create type public.import_decision as enum ('import', 'skip');
