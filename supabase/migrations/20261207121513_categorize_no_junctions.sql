-- The local Data API (lite) takes every table with keys to both transactions and categories for
-- a many-to-many junction (PostgREST only when the key columns are in its primary key); with these
-- two besides transaction_splits, `transactions?select=*,categories(*)` answered PGRST201. Drops
-- the key from suggestions to categories and from corrections to transactions.
-- Touches: public.transaction_categorizations, public.category_corrections (constraints only).

alter table "public"."category_corrections" drop constraint "category_corrections_org_id_transaction_id_fkey";

alter table "public"."transaction_categorizations" drop constraint "transaction_categorizations_org_id_category_id_fkey";
