create or replace function private.write_refusal(org_id uuid)
returns text
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select case
      when s.suspended_at is not null then 'SUBSCRIPTION_INACTIVE'
      when s.status = 'trialing' then case when s.trial_ends_at > now() then null else 'TRIAL_EXPIRED' end
      when s.status = 'active' then null
      when s.status = 'canceling' then
        case when s.current_period_end is null or s.current_period_end > now() then null else 'SUBSCRIPTION_INACTIVE' end
      when s.status = 'past_due' then case when s.grace_until > now() then null else 'SUBSCRIPTION_INACTIVE' end
      when s.read_only_reason = 'trial_expired' then 'TRIAL_EXPIRED'
      else 'SUBSCRIPTION_INACTIVE'
    end
    from public.subscriptions s
    where s.org_id = write_refusal.org_id
  );
end;
$$;

grant execute on function private.write_refusal(uuid) to authenticated, service_role;
