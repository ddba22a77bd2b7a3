-- An account's balance at the end of `day`: its opening balance and every live transaction that
-- moved it up to that day, in the account's currency. Reads the account's index range, not the
-- monthly totals, so a statement's day-exact balances can be checked against it.
create function private.account_balance_on(org_id uuid, account_id uuid, day date)
returns bigint
language sql
stable
set search_path = ''
as $$
  select a.opening_balance_minor + coalesce((
    select sum(case when t.kind = 'income' then t.account_amount_minor else -t.account_amount_minor end)
    from public.transactions t
    where t.org_id = a.org_id and t.account_id = a.id and t.deleted_at is null and t.booked_on <= day
  ), 0) + coalesce((
    select sum(t.to_amount_minor)
    from public.transactions t
    where t.org_id = a.org_id and t.to_account_id = a.id and t.deleted_at is null and t.booked_on <= day
  ), 0)
  from public.accounts a
  where a.org_id = account_balance_on.org_id and a.id = account_balance_on.account_id
$$;

comment on function private.account_balance_on(uuid, uuid, date) is
  'The account''s balance at the end of `day` in its currency (opening balance plus live transactions up to that day).';
