create table public.vendors (
  id uuid primary key default gen_random_uuid(),
  org_id uuid not null references public.organizations (id) on delete cascade,
  name text not null check (private.name_is_valid(name, 120)),
  normalized_name text generated always as (private.normalize_vendor_name(name)) stored,
  organization_number text check (organization_number ~ '^[0-9A-Za-z][0-9A-Za-z -]{2,24}$'),
  website text check (website ~* '^https?://[^\s]+$' and char_length(website) <= 300),
  default_category_id uuid,
  -- Set when this vendor was merged into another; the merged vendor lives on in the trash.
  merged_into_id uuid,
  check (normalized_name is not null),
  foreign key (org_id, default_category_id) references public.categories (org_id, id) on delete set null (default_category_id)
);

comment on table public.vendors is
  'Suppliers and payees, matched on a normalized name; created on first use by a transaction''s counterparty.';

comment on column public.vendors.normalized_name is 'The name as vendors are matched: lower case, no punctuation or legal form.';

select private.enroll_record_table('public.vendors');

alter table public.vendors
  add foreign key (org_id, merged_into_id) references public.vendors (org_id, id) on delete set null (merged_into_id);

create unique index vendors_org_id_normalized_name_key on public.vendors (org_id, normalized_name) where deleted_at is null;

create index vendors_org_id_name_trgm_idx on public.vendors using gin (name extensions.gin_trgm_ops);

-- A generic plan (PostgREST prepares its statements) estimates an organization's share of a
-- table as 1 / (number of organizations), and the policies' `org_id = any (...)` cuts that
-- again a hundredfold. For a list embedding vendor names in a company with 2,000 vendors that
-- meant "one vendor": Postgres read all 2,000 and compared each with every row (4.7 ms instead
-- of 0.6 ms). Vendors and categories are small per organization and looked up by key, so
-- planning for many rows per organization costs a small organization nothing.
alter table public.vendors alter column org_id set (n_distinct = 20);

create index vendors_org_id_merged_name_idx on public.vendors (org_id, normalized_name) where merged_into_id is not null;

