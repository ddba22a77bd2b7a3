-- The one way rows are written: once per idempotency key (the same key and amount answers the
-- row written the first time; another amount or kind is IDEMPOTENCY_CONFLICT).
create function private.post_credits(
  org_id uuid,
  amount bigint,
  kind public.credit_kind,
  reason text,
  reference text,
  idempotency_key text
)
returns public.credit_ledger
language plpgsql
security definer
set search_path = ''
as $$
declare
  entry public.credit_ledger;
begin
  if amount is null or amount = 0 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'amount: a whole number of credits other than 0';
  end if;
  -- Lock the balance first, so the key check and the insert see every earlier entry.
  perform from public.credit_balances b where b.org_id = post_credits.org_id for update;
  if not found then
    if not exists (select from public.organizations o where o.id = post_credits.org_id) then
      raise sqlstate 'PT404' using message = 'ORGANIZATION_NOT_FOUND', detail = format('No organization %s.', org_id);
    end if;
    insert into public.credit_balances (org_id) values (post_credits.org_id) on conflict do nothing;
  end if;
  if idempotency_key is not null then
    select * into entry from public.credit_ledger l
    where l.org_id = post_credits.org_id and l.idempotency_key = post_credits.idempotency_key;
    if found then
      if (entry.amount, entry.kind) is distinct from (amount, kind) then
        raise sqlstate 'PT409' using message = 'IDEMPOTENCY_CONFLICT',
          detail = format('Key %L was used for %s credits (%s).', idempotency_key, entry.amount, entry.kind);
      end if;
      return entry;
    end if;
  end if;
  insert into public.credit_ledger (org_id, amount, kind, reason, reference, idempotency_key)
  values (org_id, amount, kind, nullif(btrim(reason), ''), reference, idempotency_key)
  returning * into entry;
  return entry;
end;
$$;
