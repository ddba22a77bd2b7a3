create or replace function private.transaction_lines(t public.transactions, sign integer)
returns private.total_line[]
language plpgsql
stable
set search_path = ''
as $$
declare
  month date := date_trunc('month', t.booked_on)::date;
  year date := date_trunc('year', t.booked_on)::date;
  none constant uuid := '00000000-0000-0000-0000-000000000000';
  expense bigint := case when t.kind = 'expense' then sign * t.base_amount_minor else 0 end;
  income bigint := case when t.kind = 'income' then sign * t.base_amount_minor else 0 end;
  fixed bigint := case when t.contract_id is not null then expense else 0 end;
  lines private.total_line[] := '{}';
begin
  if t.deleted_at is not null then
    return lines;
  end if;
  if t.kind <> 'transfer' then
    if t.is_split then
      -- A part's base amount is shared in proportion to its amount; the last part takes the
      -- rounding remainder, so the shares always sum to the whole.
      select array_agg(row(month, 'c', p.category_id, p.position,
                           case when t.kind = 'expense' then sign * p.base else 0 end,
                           case when t.kind = 'income' then sign * p.base else 0 end,
                           case when t.kind = 'expense' and t.contract_id is not null then sign * p.base else 0 end,
                           0, sign)::private.total_line)
      into lines
      from (
        select s.position, s.category_id,
               coalesce(s.share, t.base_amount_minor - coalesce(sum(s.share) over (), 0)) as base
        from (
          select x.position, x.category_id,
                 case when x.position = max(x.position) over () then null
                      else round(x.amount_minor::numeric * t.base_amount_minor / t.amount_minor)::bigint end as share
          from public.transaction_splits x
          where x.transaction_id = t.id
        ) s
      ) p;
      lines := coalesce(lines, '{}');
    else
      lines := lines || row(month, 'c', coalesce(t.category_id, none), 0, expense, income, fixed, 0, sign)::private.total_line;
    end if;
    lines := lines || row(month, 'v', coalesce(t.vendor_id, none), 0, expense, income, fixed, 0, sign)::private.total_line
                   || row(year, 'y', coalesce(t.vendor_id, none), 0, expense, income, fixed, 0, sign)::private.total_line;
  end if;
  if t.account_id is not null then
    lines := lines || row(month, 'a', t.account_id, 0, 0, 0, 0,
                          sign * case when t.kind = 'income' then t.account_amount_minor else -t.account_amount_minor end,
                          sign)::private.total_line;
  end if;
  if t.kind = 'transfer' then
    lines := lines || row(month, 'a', t.to_account_id, 0, 0, 0, 0, sign * t.to_amount_minor, sign)::private.total_line;
  end if;
  return lines;
end;
$$;
