create function private.fold_all_pending_totals()
returns integer
language plpgsql
set search_path = ''
as $$
declare
  org uuid;
  folded integer := 0;
  failing uuid[] := array(select f.org_id from private.job_failures f where f.job = 'monthly-totals-fold');
begin
  perform set_config('synchronous_commit', 'off', true);
  for org in select distinct p.org_id from private.pending_totals p order by 1 loop
    begin
      perform private.fold_pending_totals(org);
      folded := folded + 1;
      if org = any (failing) then
        delete from private.job_failures f where f.org_id = org and f.job = 'monthly-totals-fold';
      end if;
    exception when others then
      perform private.note_job_failure('monthly-totals-fold', org, sqlstate, sqlerrm);
    end;
  end loop;
  return folded;
end;
$$;

comment on function private.fold_all_pending_totals() is
  'Folds every organization''s pending lines into the totals (every second, by pg_cron); returns how many organizations it folded.';

select cron.schedule('monthly-totals-fold', '1 seconds', 'select private.fold_all_pending_totals()');
