-- Found by the benchmark (bench/, issue 6): two changes that keep requests at index speed with a
-- million transactions in one organization.
-- Touches: private.org_ids_with_role, private.has_org_role, public.search_transactions.

-- Every policy calls org_ids_with_role once per table a statement reads. As SQL functions with
-- SET options they were planned again on every call (three times for a list with category and
-- vendor names); in PL/pgSQL the plan is kept for the session. The list's row-level security
-- cost fell from 30 % to 13 % of the read.
create or replace function private.org_ids_with_role(min_role public.org_role)
returns uuid[]
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (
    select coalesce(array_agg(m.org_id), '{}')
    from public.memberships m
    where m.user_id = (select auth.uid()) and m.role >= min_role
  );
end;
$$;

create or replace function private.has_org_role(org_id uuid, min_role public.org_role)
returns boolean
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return exists (
    select from public.memberships m
    where m.org_id = has_org_role.org_id and m.user_id = (select auth.uid()) and m.role >= min_role
  );
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
set search_path = ''
as $$
declare
  filters text := '';
  pattern text;
  vendor_ids uuid[];
begin
  if max_rows is null or max_rows not between 1 and 500 then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED', detail = 'max_rows: between 1 and 500';
  end if;
  if (after_booked_on is null) <> (after_reference is null) then
    raise sqlstate 'PT400' using message = 'VALIDATION_FAILED',
      detail = 'after_booked_on and after_reference: give both (the last row''s booked_on and reference) or neither';
  end if;
  if nullif(btrim(text_query), '') is not null then
    -- Matches anywhere in description, counterparty or notes, or the vendor's name.
    pattern := '%' || replace(replace(replace(lower(btrim(text_query)), '\', '\\'), '%', '\%'), '_', '\_') || '%';
    -- The vendors first, as a list: `vendor_id = any (list)` and the text's trigram index
    -- combine in one bitmap scan, where a subquery in the OR made Postgres read every row of
    -- the organization (250 ms for a rare word among a million).
    select array_agg(v.id) into vendor_ids
    from public.vendors v
    where v.org_id = search_transactions.org_id and v.name ilike pattern and v.deleted_at is null;
    filters := filters || case when vendor_ids is null then ' and t.search_text like $2'
                               else ' and (t.search_text like $2 or t.vendor_id = any ($15))' end;
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
    using org_id, pattern, from_date, to_date, min_amount_minor, max_amount_minor, category_id, vendor_id, tag_id,
          account_id, kind, after_booked_on, after_reference, max_rows, vendor_ids;
end;
$$;

-- A generic plan (PostgREST prepares its statements) estimates an organization's share of a
-- table as 1 / (number of organizations), and the policies' `org_id = any (...)` cuts that
-- again a hundredfold. For a list embedding vendor names in a company with 2,000 vendors that
-- meant "one vendor": Postgres read all 2,000 and compared each with every row (4.7 ms instead
-- of 0.6 ms). Vendors and categories are small per organization and looked up by key, so
-- planning for many rows per organization costs a small organization nothing.
alter table public.vendors alter column org_id set (n_distinct = 20);
alter table public.categories alter column org_id set (n_distinct = 20);
analyze public.vendors, public.categories;
