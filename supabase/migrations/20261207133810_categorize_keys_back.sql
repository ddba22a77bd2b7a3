-- The categorizer's two foreign keys come back (a suggestion's category, a correction's
-- transaction): they were dropped only because lite took both tables for many-to-many junctions
-- between transactions and categories, which the local stack now decides as PostgREST does
-- (packages/devstack/src/lite/bundle.ts). Rows written meanwhile that point at nothing are mended
-- first, as the keys would have: the suggestion loses its category, the correction goes.
-- Touches: public.transaction_categorizations, public.category_corrections.

update public.transaction_categorizations tc set category_id = null
where tc.category_id is not null
  and not exists (select from public.categories c where c.org_id = tc.org_id and c.id = tc.category_id);

delete from public.category_corrections cc
where not exists (select from public.transactions t where t.org_id = cc.org_id and t.id = cc.transaction_id);

alter table "public"."category_corrections" add constraint "category_corrections_org_id_transaction_id_fkey" FOREIGN KEY (org_id, transaction_id) REFERENCES transactions(org_id, id) ON DELETE CASCADE not valid;

alter table "public"."category_corrections" validate constraint "category_corrections_org_id_transaction_id_fkey";

alter table "public"."transaction_categorizations" add constraint "transaction_categorizations_org_id_category_id_fkey" FOREIGN KEY (org_id, category_id) REFERENCES categories(org_id, id) ON DELETE SET NULL (category_id) not valid;

alter table "public"."transaction_categorizations" validate constraint "transaction_categorizations_org_id_category_id_fkey";
