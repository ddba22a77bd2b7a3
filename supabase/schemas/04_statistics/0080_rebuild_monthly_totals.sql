-- A rebuild starts from the raw rows: what was pending is in them already.
create or replace function private.rebuild_monthly_totals(org_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform 1 from public.organizations o where o.id = rebuild_monthly_totals.org_id for update;
  delete from private.pending_totals p where p.org_id = rebuild_monthly_totals.org_id;
  delete from private.monthly_totals m where m.org_id = rebuild_monthly_totals.org_id;
  insert into private.monthly_totals
    (org_id, dimension, month, key, expense_minor, income_minor, fixed_minor, net_minor, entries)
  select rebuild_monthly_totals.org_id, f.dimension, f.month, f.key, f.expense_minor, f.income_minor,
         f.fixed_minor, f.net_minor, f.entries
  from private.fresh_monthly_totals(rebuild_monthly_totals.org_id) f;
end;
$$;
