create function private.adjust_credits(org_id uuid, amount bigint, reason text, idempotency_key text)
returns public.credit_ledger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.require_platform_admin();
  if nullif(btrim(reason), '') is null then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'reason: say why the credits change';
  end if;
  return private.post_credits(org_id, amount, 'adjustment', reason, null, idempotency_key);
end;
$$;

grant execute on function private.adjust_credits(uuid, bigint, text, text) to authenticated;

create function public.adjust_credits(org_id uuid, amount bigint, reason text, idempotency_key text default null)
returns public.credit_ledger
language sql
set search_path = ''
as $$
  select * from private.adjust_credits(org_id, amount, reason, idempotency_key);
$$;

comment on function public.adjust_credits is 'Platform admins add (or with a negative amount take) credits, with a reason.';

grant execute on function public.adjust_credits(uuid, bigint, text, text) to authenticated;
