create or replace function private.enforce_billing_deadlines()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  due record;
  moved integer := 0;
begin
  for due in
    select s.org_id from public.subscriptions s
    where (s.status = 'trialing' and s.trial_ends_at <= now())
       or (s.status = 'past_due' and s.grace_until <= now())
       or (s.status = 'canceling' and s.current_period_end <= now())
  loop
    begin
      update public.subscriptions s set
        status = 'read_only',
        read_only_reason = case s.status
          when 'trialing' then 'trial_expired' when 'past_due' then 'grace_over' else 'canceled' end
      where s.org_id = due.org_id;
      moved := moved + 1;
    exception when others then
      perform private.note_job_failure('billing-deadlines', due.org_id, sqlstate, sqlerrm);
    end;
  end loop;
  delete from private.job_failures f where f.job = 'billing-deadlines' and f.last_failed_at < now();
  return moved;
end;
$$;

select cron.schedule('billing-deadlines', '7 0 * * *', 'select private.enforce_billing_deadlines()');
