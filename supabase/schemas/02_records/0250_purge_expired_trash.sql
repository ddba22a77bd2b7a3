create or replace function private.purge_expired_trash()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  tracked record;
  org uuid;
  purged integer;
  total integer := 0;
begin
  perform set_config('westwallet.internal_operation', 'purge', true);
  for tracked in select t.table_name from private.tracked_tables t where t.is_record loop
    for org in execute format(
      $q$select distinct r.org_id from public.%I r join public.organizations o on o.id = r.org_id
         where r.deleted_at < now() - make_interval(days => o.trash_retention_days)$q$,
      tracked.table_name
    ) loop
      begin
        execute format(
          $q$delete from public.%I r using public.organizations o
             where o.id = r.org_id and r.org_id = $1 and r.deleted_at < now() - make_interval(days => o.trash_retention_days)$q$,
          tracked.table_name
        ) using org;
        get diagnostics purged = row_count;
        total := total + purged;
      exception when others then
        perform private.note_job_failure('trash-purge', org, sqlstate, format('%s: %s', tracked.table_name, sqlerrm));
      end;
    end loop;
  end loop;
  delete from private.job_failures f where f.job = 'trash-purge' and f.last_failed_at < now();
  perform set_config('westwallet.internal_operation', '', true);
  return total;
end;
$$;

select cron.schedule('trash-purge', '17 3 * * *', 'select private.purge_expired_trash()');
