-- Imports: the commit adds the batch's new vendors a bounded call at a time (up to 5,000 rows
-- after a line; 5,000 new vendors took 0.72 s), not in one statement for the whole batch: a
-- file whose payees all differ would have created 100,000 vendors in one statement, past
-- hosted's 8 s statement timeout.
-- Touches: function private.add_import_vendors (now batch, after_line, max_rows); no data.

drop function if exists "private"."add_import_vendors"(batch_id uuid);

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.add_import_vendors(batch_id uuid, after_line integer, max_rows integer)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
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
$function$
;

comment on function private.add_import_vendors(pg_catalog.uuid,integer,integer) is 'Creates the vendors the organization lacks for a committing batch''s open rows after after_line (at most max_rows rows); answers the last line read, null when none was left. For the import.commit job.';

revoke all on function private.add_import_vendors(uuid,integer,integer) from public, anon, authenticated, service_role;
grant execute on function private.add_import_vendors(uuid,integer,integer) to authenticated;
