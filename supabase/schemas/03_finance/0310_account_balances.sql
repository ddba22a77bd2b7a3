create or replace function private.account_balances(org_id uuid)
returns table (account_id uuid, name text, kind public.account_kind, currency text, closed boolean,
               opening_balance_minor bigint, balance_minor bigint, last_month date)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  perform private.require_org_role(org_id, 'viewer');
  return query
  select a.id, a.name, a.kind, a.currency, a.closed, a.opening_balance_minor,
         a.opening_balance_minor + coalesce(sum(m.net_minor), 0)::bigint, max(m.month)
  from public.accounts a
  left join private.live_totals m on m.org_id = a.org_id and m.dimension = 'a' and m.key = a.id
  where a.org_id = account_balances.org_id and a.deleted_at is null
  group by a.id
  order by a.closed, a.kind, a.name;
end;
$$;

grant execute on function private.account_balances(uuid) to authenticated;

create function public.account_balances(org_id uuid)
returns table (account_id uuid, name text, kind public.account_kind, currency text, closed boolean,
               opening_balance_minor bigint, balance_minor bigint, last_month date)
language sql
stable
set search_path = ''
as $$
  select * from private.account_balances(org_id);
$$;

comment on function public.account_balances is
  'Each live account''s balance in its own currency: the opening balance plus its transactions (transfers in and out included).';

grant execute on function public.account_balances(uuid) to authenticated;
