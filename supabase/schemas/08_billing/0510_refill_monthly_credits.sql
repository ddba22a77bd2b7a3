create or replace function private.refill_monthly_credits(day date default current_date)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  month text := to_char(day, 'YYYY-MM');
  refilled integer := 0;
  paying record;
begin
  for paying in
    select s.org_id, p.name, p.monthly_credits
    from public.subscriptions s join public.plans p on p.id = s.plan_id
    where s.status in ('active', 'canceling') and s.suspended_at is null and p.monthly_credits > 0
      and not exists (select from public.credit_ledger l where l.org_id = s.org_id and l.idempotency_key = 'refill:' || month)
  loop
    begin
      perform private.post_credits(
        paying.org_id, paying.monthly_credits, 'monthly_refill',
        format('%s plan allowance for %s', paying.name, month), null, 'refill:' || month
      );
      refilled := refilled + 1;
    exception when others then
      perform private.note_job_failure('credits-monthly-refill', paying.org_id, sqlstate, sqlerrm);
    end;
  end loop;
  delete from private.job_failures f where f.job = 'credits-monthly-refill' and f.last_failed_at < now();
  return refilled;
end;
$$;

-- Daily, so an organization that starts paying mid-month gets its allowance the next night.
select cron.schedule('credits-monthly-refill', '13 0 * * *', 'select private.refill_monthly_credits()');
