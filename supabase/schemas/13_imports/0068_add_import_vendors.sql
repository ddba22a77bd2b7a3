-- The commit job adds the batch's new vendors before its first rows, so the calls that write the
-- rows (two at once) never race to create the same vendor: one would wait for the other's
-- transaction, and two such waits crossed are a deadlock. A call reads up to max_rows rows after
-- after_line, so one statement creates at most that many vendors (a file whose payees all differ
-- would otherwise create 100,000 in one statement, past hosted's 8 s timeout). Answers the last
-- line it read; null once no row is left after after_line.
create function private.add_import_vendors(batch_id uuid, after_line integer, max_rows integer)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch public.import_batches := private.committing_batch(batch_id);
  names text[];
  last_line integer;
begin
  select array_agg(r.counterparty), max(r.line) into names, last_line
  from (select r.counterparty, r.line from public.import_rows r
        where r.org_id = batch.org_id and r.batch_id = batch.id and r.decision = 'import' and r.transaction_id is null
          and r.line > after_line
        order by r.line
        limit max_rows) r;
  if last_line is not null then
    perform private.add_new_vendors(batch.org_id, names);
  end if;
  return last_line;
end;
$$;

comment on function private.add_import_vendors(uuid, integer, integer) is
  'Creates the vendors the organization lacks for a committing batch''s open rows after after_line (at most max_rows rows); answers the last line read, null when none was left. For the import.commit job.';

grant execute on function private.add_import_vendors(uuid, integer, integer) to authenticated;
