create function private.open_credit_account()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  credits bigint := (select s.trial_credits from public.app_settings s);
begin
  insert into public.credit_balances (org_id) values (new.id);
  if credits > 0 then
    perform private.post_credits(new.id, credits, 'grant', 'Trial credits', null, 'trial-grant');
  end if;
  return null;
end;
$$;
