-- Found by the benchmark (bench/, issue 6), the keyset page: a page of the plain list is read in
-- one function, not two.
-- Touches: public.search_transactions (reads the plain list itself, under the caller's
-- row-level security), private.search_transactions (same signature and results; it no longer
-- has a static query for the plain list, which no caller sends it any more).
--
-- The public function was a wrapper: every page passed through it and through the private,
-- security-definer one, and each of the two PL/pgSQL functions copied the page's 50 rows of 30
-- columns into a result set of its own before the Data API read them. A page without filters
-- (an app paging back through its transactions) is now read by the public function, as the
-- caller, under the same row-level security as a read of the table. Keyset page 101 of the
-- benchmark's company, as the Data API asks for it, at one client, five alternating rounds of
-- 3 s with the old and the new functions: p95 1.69-2.04 ms -> 1.60-1.90 (medians 1.95 -> 1.82),
-- p50 medians 1.62 -> 1.47. Its plans are kept for the session, as before. Searches and
-- filters still go to the private function, which builds the query each combination needs.

create or replace function private.search_transactions(
  org_id uuid,
  text_query text default null,
  from_date date default null,
  to_date date default null,
  min_amount_minor bigint default null,
  max_amount_minor bigint default null,
  category_id uuid default null,
  vendor_id uuid default null,
  tag_id uuid default null,
  account_id uuid default null,
  kind public.transaction_kind default null,
  after_booked_on date default null,
  after_reference text default null,
  max_rows integer default 50
)
returns setof public.transactions
language plpgsql
stable
rows 50
security definer
set search_path = ''
as $$
declare
  filters text := '';
  needle text;
  words text;
  vendor_ids uuid[];
begin
  -- What row-level security let a viewer see before: nothing of another organization.
  if not private.has_org_role(org_id, 'viewer') then
    return;
  end if;
  if max_rows is null or max_rows not between 1 and 500 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'max_rows: between 1 and 500';
  end if;
  if (after_booked_on is null) <> (after_reference is null) then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED',
      detail = 'after_booked_on and after_reference: give both (the last row''s booked_on and reference) or neither';
  end if;
  if nullif(btrim(text_query), '') is not null then
    -- Matches the text anywhere in description, counterparty or notes, or in the vendor's name.
    -- `strpos` decides (so `%` and `_` are literal); the index and the planner get the query's
    -- words in order, `%alfa%design%1269%ab%` for 'Alfa Design 1269 AB'. Both select the same
    -- rows in practice and so get the same estimate, but a pattern with spaces also makes
    -- pg_trgm look up the trigrams of word starts and ends ('  a', ' ab', 'ab '), which nearly
    -- every row has: the index scan for a supplier's name took 20 ms with them and 6 ms without.
    needle := lower(btrim(text_query));
    words := '%' || array_to_string(regexp_split_to_array(needle, '[^[:alnum:]]+'), '%') || '%';
    -- The vendors first, as a list: `vendor_id = any (list)` and the text's trigram index
    -- combine in one bitmap scan, where a subquery in the OR made Postgres read every row of
    -- the organization (250 ms for a rare word among a million).
    select array_agg(v.id) into vendor_ids
    from public.vendors v
    where v.org_id = search_transactions.org_id and v.name ilike words and strpos(lower(v.name), needle) > 0
      and v.deleted_at is null;
    filters := filters || case when vendor_ids is null then ' and t.search_text like $2 and strpos(t.search_text, $16) > 0'
                               else ' and (t.search_text like $2 and strpos(t.search_text, $16) > 0 or t.vendor_id = any ($15))' end;
  end if;
  if from_date is not null then filters := filters || ' and t.booked_on >= $3'; end if;
  if to_date is not null then filters := filters || ' and t.booked_on <= $4'; end if;
  if min_amount_minor is not null then filters := filters || ' and t.base_amount_minor >= $5'; end if;
  if max_amount_minor is not null then filters := filters || ' and t.base_amount_minor <= $6'; end if;
  if category_id is not null then
    -- A parent category finds its children's transactions too, split parts included.
    filters := filters || ' and (t.category_id in (select c.id from public.categories c where c.org_id = $1 and (c.id = $7 or c.parent_id = $7))
                            or (t.is_split and exists (select from public.transaction_splits s
                                 join public.categories c on c.org_id = s.org_id and c.id = s.category_id
                                 where s.transaction_id = t.id and (c.id = $7 or c.parent_id = $7))))';
  end if;
  if vendor_id is not null then filters := filters || ' and t.vendor_id = $8'; end if;
  if tag_id is not null then
    filters := filters || ' and exists (select from public.transaction_tags tt where tt.org_id = $1 and tt.transaction_id = t.id and tt.tag_id = $9)';
  end if;
  if account_id is not null then filters := filters || ' and (t.account_id = $10 or t.to_account_id = $10)'; end if;
  if kind is not null then filters := filters || ' and t.kind = $11'; end if;
  if after_booked_on is not null then filters := filters || ' and (t.booked_on, t.reference) < ($12, $13)'; end if;
  return query execute
    'select t.* from public.transactions t where t.org_id = $1 and t.deleted_at is null' || filters ||
    ' order by t.booked_on desc, t.reference desc limit $14'
    using org_id, words, from_date, to_date, min_amount_minor, max_amount_minor, category_id, vendor_id, tag_id,
          account_id, kind, after_booked_on, after_reference, max_rows, vendor_ids, needle;
end;
$$;

create or replace function public.search_transactions(
  org_id uuid,
  text_query text default null,
  from_date date default null,
  to_date date default null,
  min_amount_minor bigint default null,
  max_amount_minor bigint default null,
  category_id uuid default null,
  vendor_id uuid default null,
  tag_id uuid default null,
  account_id uuid default null,
  kind public.transaction_kind default null,
  after_booked_on date default null,
  after_reference text default null,
  max_rows integer default 50
)
returns setof public.transactions
language plpgsql
stable
rows 50
set search_path = ''
as $$
begin
  -- The plain list, newest first, a page at a time: read here, where row-level security shows
  -- the caller its organizations' rows and nothing else. Bad arguments go on to the private
  -- function, which says what is wrong with them.
  if nullif(btrim(text_query), '') is null and from_date is null and to_date is null and min_amount_minor is null
     and max_amount_minor is null and category_id is null and vendor_id is null and tag_id is null
     and account_id is null and kind is null and max_rows between 1 and 500
     and (after_booked_on is null) = (after_reference is null) then
    -- Two static queries, not one with `after_booked_on is null or ...`: PL/pgSQL keeps each
    -- one's plan for the session, and only the cursor's own query starts the index scan at the
    -- cursor.
    if after_booked_on is null then
      return query
        select t.* from public.transactions t
        where t.org_id = search_transactions.org_id and t.deleted_at is null
        order by t.booked_on desc, t.reference desc
        limit max_rows;
    else
      return query
        select t.* from public.transactions t
        where t.org_id = search_transactions.org_id and t.deleted_at is null
          and (t.booked_on, t.reference) < (after_booked_on, after_reference)
        order by t.booked_on desc, t.reference desc
        limit max_rows;
    end if;
    return;
  end if;
  return query
    select * from private.search_transactions(org_id, text_query, from_date, to_date, min_amount_minor, max_amount_minor,
                                              category_id, vendor_id, tag_id, account_id, kind, after_booked_on,
                                              after_reference, max_rows);
end;
$$;
