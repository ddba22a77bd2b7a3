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

grant execute on function private.search_transactions to authenticated;

-- Found by the benchmark (bench/, issue 6), fifth round: search_transactions tells the planner
-- how many rows a page has.
-- Touches: public.search_transactions and private.search_transactions (their row estimate).
--
-- A set-returning function is planned as if it returned 1,000 rows unless it says otherwise.
-- For a page of search_transactions with category and vendor names, the Data API's query then
-- joined the page to every category and every vendor of the organization by hash (all 2,029
-- vendors of the benchmark's company, 1.5 ms to build the hash) instead of looking up the 50
-- rows' own (0.01 ms each). A page is 50 rows by default (max_rows, at most 500): with that
-- estimate the lookups are index lookups. Page 101 of the company's list, as the Data API asks
-- for it: 3.6 ms to 2.4 ms under EXPLAIN ANALYZE.
alter function private.search_transactions(uuid, text, date, date, bigint, bigint, uuid, uuid, uuid, uuid,
                                           public.transaction_kind, date, text, integer) rows 50;

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

comment on function public.search_transactions is
  'Transactions newest first, filtered; amounts compare in the base currency. Next page: after_booked_on and after_reference of the last row.';

grant execute on function public.search_transactions to authenticated;

alter function public.search_transactions(uuid, text, date, date, bigint, bigint, uuid, uuid, uuid, uuid,
                                          public.transaction_kind, date, text, integer) rows 50;
