create function private.track_transaction_totals()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- set_transaction_splits() moves the totals itself around changing the parts.
  if private.internal_operation() = 'splits' then
    return null;
  end if;
  if tg_op = 'UPDATE' then
    perform private.add_to_totals(new.org_id, private.transaction_lines(old, -1) || private.transaction_lines(new, 1));
  else
    -- Before the row goes, while its parts can still be read (the cascade deletes them).
    if exists (select from public.organizations o where o.id = old.org_id) then
      perform private.add_to_totals(old.org_id, private.transaction_lines(old, -1));
    end if;
    return old;
  end if;
  return null;
end;
$$;

-- Inserts, once per statement: one pending row per organization however many transactions the
-- statement added (an import's thousand rows, one row of pending_totals; the fold sums them).
create function private.track_transaction_inserts()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if private.internal_operation() = 'splits' then
    return null;
  end if;
  insert into private.pending_totals (org_id, lines)
  select t.org_id, array_agg(l)
  from added_rows t cross join lateral unnest(private.transaction_lines(t, 1)) l
  group by t.org_id;
  return null;
end;
$$;
