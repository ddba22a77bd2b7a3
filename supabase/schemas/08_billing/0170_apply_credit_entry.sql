create function private.apply_credit_entry()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  before bigint;
  threshold bigint;
begin
  -- Concurrent entries of one organization queue here.
  select b.balance into before from public.credit_balances b where b.org_id = new.org_id for update;
  if not found then
    insert into public.credit_balances (org_id) values (new.org_id) on conflict (org_id) do nothing;
    select b.balance into before from public.credit_balances b where b.org_id = new.org_id for update;
  end if;
  if before + new.amount < 0 then
    raise sqlstate 'PT402' using message = 'INSUFFICIENT_CREDITS',
      detail = format('The balance is %s credits; this needs %s.', before, -new.amount);
  end if;
  new.balance_after := before + new.amount;
  new.created_at := now();
  update public.credit_balances b set balance = new.balance_after, updated_at = now() where b.org_id = new.org_id;

  select s.low_credit_threshold into threshold from public.app_settings s;
  if before >= threshold and new.balance_after < threshold then
    insert into private.billing_notices (org_id, kind, payload)
    values (new.org_id, 'credits_low', jsonb_build_object('balance', new.balance_after, 'threshold', threshold));
  end if;
  return new;
end;
$$;
