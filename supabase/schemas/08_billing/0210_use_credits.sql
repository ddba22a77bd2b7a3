-- For edge functions and trusted servers: spends `amount` credits or fails with INSUFFICIENT_CREDITS.
create function private.use_credits(org_id uuid, amount bigint, reason text, idempotency_key text)
returns public.credit_ledger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if amount is null or amount <= 0 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'amount: the credits to use, more than 0';
  end if;
  return private.post_credits(org_id, -amount, 'usage', reason, null, idempotency_key);
end;
$$;

grant execute on function private.use_credits(uuid, bigint, text, text) to service_role;

create function public.use_credits(org_id uuid, amount bigint, reason text, idempotency_key text default null)
returns public.credit_ledger
language sql
set search_path = ''
as $$
  select * from private.use_credits(org_id, amount, reason, idempotency_key);
$$;

comment on function public.use_credits is
  'Trusted servers (secret key) spend credits: once per idempotency key, never below zero (INSUFFICIENT_CREDITS).';

grant execute on function public.use_credits(uuid, bigint, text, text) to service_role;
