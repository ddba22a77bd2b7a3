-- Bank statement imports (issue 27): batches of staged rows previewed, committed and undone;
-- transactions keep their import batch and the bank's reference.
-- Touches: public.import_batches, public.import_rows, public.import_mappings (new),
-- public.transactions (import_batch_id, bank_reference), public.undo_import, private helpers,
-- types import_batch_status, import_decision, import_row_status, statement_format.

create type "public"."import_batch_status" as enum ('previewed', 'committing', 'committed', 'undone');

create type "public"."import_decision" as enum ('import', 'skip');

create type "public"."import_row_status" as enum ('new', 'duplicate', 'conflict');

create type "public"."statement_format" as enum ('csv', 'ofx', 'qif', 'camt.053', 'camt.054', 'mt940');


  create table "public"."import_batches" (
    "id" uuid not null default gen_random_uuid(),
    "org_id" uuid not null,
    "account_id" uuid not null,
    "file_path" text not null,
    "format" statement_format not null,
    "status" import_batch_status not null default 'previewed'::import_batch_status,
    "mapping" jsonb,
    "preset" text,
    "statement_account" text,
    "currency" text not null,
    "opening_balance_minor" bigint,
    "opening_on" date,
    "closing_balance_minor" bigint,
    "closing_on" date,
    "entry_count" integer not null default 0,
    "new_count" integer not null default 0,
    "duplicate_count" integer not null default 0,
    "conflict_count" integer not null default 0,
    "problems" jsonb not null default '[]'::jsonb,
    "problem_count" integer not null default 0,
    "imported_count" integer not null default 0,
    "opening_difference_minor" bigint,
    "closing_difference_minor" bigint,
    "created_by" uuid,
    "created_at" timestamp with time zone not null default now(),
    "committed_at" timestamp with time zone,
    "committed_by" uuid,
    "undone_at" timestamp with time zone,
    "undone_by" uuid
      );


alter table "public"."import_batches" enable row level security;


  create table "public"."import_mappings" (
    "id" uuid not null default gen_random_uuid(),
    "org_id" uuid not null,
    "account_id" uuid not null,
    "mapping" jsonb not null default '{}'::jsonb,
    "preset" text,
    "updated_at" timestamp with time zone not null default now()
      );


alter table "public"."import_mappings" enable row level security;


  create table "public"."import_rows" (
    "id" uuid not null default gen_random_uuid(),
    "org_id" uuid not null,
    "batch_id" uuid not null,
    "line" integer not null,
    "booked_on" date not null,
    "value_on" date,
    "amount_minor" bigint not null,
    "currency" text not null,
    "counterparty" text,
    "counterparty_account" text,
    "text" text,
    "bank_reference" text,
    "status" import_row_status not null,
    "match_reason" text,
    "duplicate_of" uuid,
    "decision" import_decision not null,
    "decided_by" uuid,
    "transaction_id" uuid
      );


alter table "public"."import_rows" enable row level security;

alter table "public"."transactions" add column "bank_reference" text;

alter table "public"."transactions" add column "import_batch_id" uuid;

CREATE INDEX import_batches_org_id_account_idx ON public.import_batches USING btree (org_id, account_id, created_at DESC);

CREATE UNIQUE INDEX import_batches_org_id_id_key ON public.import_batches USING btree (org_id, id);

CREATE UNIQUE INDEX import_batches_pkey ON public.import_batches USING btree (id);

CREATE UNIQUE INDEX import_mappings_org_id_account_id_key ON public.import_mappings USING btree (org_id, account_id);

CREATE UNIQUE INDEX import_mappings_pkey ON public.import_mappings USING btree (id);

CREATE INDEX import_rows_org_id_batch_idx ON public.import_rows USING btree (org_id, batch_id, line);

CREATE INDEX import_rows_org_id_duplicate_of_idx ON public.import_rows USING btree (org_id, duplicate_of) WHERE (duplicate_of IS NOT NULL);

CREATE INDEX import_rows_org_id_transaction_idx ON public.import_rows USING btree (org_id, transaction_id) WHERE (transaction_id IS NOT NULL);

CREATE UNIQUE INDEX import_rows_pkey ON public.import_rows USING btree (id);

CREATE INDEX transactions_org_id_account_reference_idx ON public.transactions USING btree (org_id, account_id, bank_reference) WHERE ((bank_reference IS NOT NULL) AND (deleted_at IS NULL));

CREATE INDEX transactions_org_id_import_batch_idx ON public.transactions USING btree (org_id, import_batch_id) WHERE (import_batch_id IS NOT NULL);

alter table "public"."import_batches" add constraint "import_batches_pkey" PRIMARY KEY using index "import_batches_pkey";

alter table "public"."import_mappings" add constraint "import_mappings_pkey" PRIMARY KEY using index "import_mappings_pkey";

alter table "public"."import_rows" add constraint "import_rows_pkey" PRIMARY KEY using index "import_rows_pkey";

alter table "public"."import_batches" add constraint "import_batches_closing_balance_minor_range" CHECK (private.amount_in_range(closing_balance_minor)) not valid;

alter table "public"."import_batches" validate constraint "import_batches_closing_balance_minor_range";

alter table "public"."import_batches" add constraint "import_batches_closing_difference_minor_range" CHECK (private.amount_in_range(closing_difference_minor)) not valid;

alter table "public"."import_batches" validate constraint "import_batches_closing_difference_minor_range";

alter table "public"."import_batches" add constraint "import_batches_closing_on_range" CHECK (private.calendar_day_in_range(closing_on)) not valid;

alter table "public"."import_batches" validate constraint "import_batches_closing_on_range";

alter table "public"."import_batches" add constraint "import_batches_conflict_count_check" CHECK ((conflict_count >= 0)) not valid;

alter table "public"."import_batches" validate constraint "import_batches_conflict_count_check";

alter table "public"."import_batches" add constraint "import_batches_currency_fkey" FOREIGN KEY (currency) REFERENCES currencies(code) not valid;

alter table "public"."import_batches" validate constraint "import_batches_currency_fkey";

alter table "public"."import_batches" add constraint "import_batches_duplicate_count_check" CHECK ((duplicate_count >= 0)) not valid;

alter table "public"."import_batches" validate constraint "import_batches_duplicate_count_check";

alter table "public"."import_batches" add constraint "import_batches_entry_count_check" CHECK ((entry_count >= 0)) not valid;

alter table "public"."import_batches" validate constraint "import_batches_entry_count_check";

alter table "public"."import_batches" add constraint "import_batches_file_path_check" CHECK (((char_length(file_path) >= 1) AND (char_length(file_path) <= 1024))) not valid;

alter table "public"."import_batches" validate constraint "import_batches_file_path_check";

alter table "public"."import_batches" add constraint "import_batches_imported_count_check" CHECK ((imported_count >= 0)) not valid;

alter table "public"."import_batches" validate constraint "import_batches_imported_count_check";

alter table "public"."import_batches" add constraint "import_batches_mapping_check" CHECK (((jsonb_typeof(mapping) = 'object'::text) AND (pg_column_size(mapping) <= 4096))) not valid;

alter table "public"."import_batches" validate constraint "import_batches_mapping_check";

alter table "public"."import_batches" add constraint "import_batches_new_count_check" CHECK ((new_count >= 0)) not valid;

alter table "public"."import_batches" validate constraint "import_batches_new_count_check";

alter table "public"."import_batches" add constraint "import_batches_opening_balance_minor_range" CHECK (private.amount_in_range(opening_balance_minor)) not valid;

alter table "public"."import_batches" validate constraint "import_batches_opening_balance_minor_range";

alter table "public"."import_batches" add constraint "import_batches_opening_difference_minor_range" CHECK (private.amount_in_range(opening_difference_minor)) not valid;

alter table "public"."import_batches" validate constraint "import_batches_opening_difference_minor_range";

alter table "public"."import_batches" add constraint "import_batches_opening_on_range" CHECK (private.calendar_day_in_range(opening_on)) not valid;

alter table "public"."import_batches" validate constraint "import_batches_opening_on_range";

alter table "public"."import_batches" add constraint "import_batches_org_id_account_id_fkey" FOREIGN KEY (org_id, account_id) REFERENCES accounts(org_id, id) ON DELETE CASCADE not valid;

alter table "public"."import_batches" validate constraint "import_batches_org_id_account_id_fkey";

alter table "public"."import_batches" add constraint "import_batches_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "public"."import_batches" validate constraint "import_batches_org_id_fkey";

alter table "public"."import_batches" add constraint "import_batches_org_id_id_key" UNIQUE using index "import_batches_org_id_id_key";

alter table "public"."import_batches" add constraint "import_batches_preset_check" CHECK ((char_length(preset) <= 40)) not valid;

alter table "public"."import_batches" validate constraint "import_batches_preset_check";

alter table "public"."import_batches" add constraint "import_batches_problem_count_check" CHECK ((problem_count >= 0)) not valid;

alter table "public"."import_batches" validate constraint "import_batches_problem_count_check";

alter table "public"."import_batches" add constraint "import_batches_problems_check" CHECK (((jsonb_typeof(problems) = 'array'::text) AND (pg_column_size(problems) <= 262144))) not valid;

alter table "public"."import_batches" validate constraint "import_batches_problems_check";

alter table "public"."import_batches" add constraint "import_batches_statement_account_check" CHECK ((char_length(statement_account) <= 64)) not valid;

alter table "public"."import_batches" validate constraint "import_batches_statement_account_check";

alter table "public"."import_mappings" add constraint "import_mappings_mapping_check" CHECK (((jsonb_typeof(mapping) = 'object'::text) AND (pg_column_size(mapping) <= 4096))) not valid;

alter table "public"."import_mappings" validate constraint "import_mappings_mapping_check";

alter table "public"."import_mappings" add constraint "import_mappings_org_id_account_id_fkey" FOREIGN KEY (org_id, account_id) REFERENCES accounts(org_id, id) ON DELETE CASCADE not valid;

alter table "public"."import_mappings" validate constraint "import_mappings_org_id_account_id_fkey";

alter table "public"."import_mappings" add constraint "import_mappings_org_id_account_id_key" UNIQUE using index "import_mappings_org_id_account_id_key";

alter table "public"."import_mappings" add constraint "import_mappings_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "public"."import_mappings" validate constraint "import_mappings_org_id_fkey";

alter table "public"."import_mappings" add constraint "import_mappings_preset_check" CHECK ((char_length(preset) <= 40)) not valid;

alter table "public"."import_mappings" validate constraint "import_mappings_preset_check";

alter table "public"."import_rows" add constraint "import_rows_amount_minor_check" CHECK ((amount_minor <> 0)) not valid;

alter table "public"."import_rows" validate constraint "import_rows_amount_minor_check";

alter table "public"."import_rows" add constraint "import_rows_amount_minor_range" CHECK (private.amount_in_range(amount_minor)) not valid;

alter table "public"."import_rows" validate constraint "import_rows_amount_minor_range";

alter table "public"."import_rows" add constraint "import_rows_bank_reference_check" CHECK ((char_length(bank_reference) <= 200)) not valid;

alter table "public"."import_rows" validate constraint "import_rows_bank_reference_check";

alter table "public"."import_rows" add constraint "import_rows_booked_on_range" CHECK (private.calendar_day_in_range(booked_on)) not valid;

alter table "public"."import_rows" validate constraint "import_rows_booked_on_range";

alter table "public"."import_rows" add constraint "import_rows_counterparty_account_check" CHECK ((char_length(counterparty_account) <= 64)) not valid;

alter table "public"."import_rows" validate constraint "import_rows_counterparty_account_check";

alter table "public"."import_rows" add constraint "import_rows_counterparty_check" CHECK ((char_length(counterparty) <= 200)) not valid;

alter table "public"."import_rows" validate constraint "import_rows_counterparty_check";

alter table "public"."import_rows" add constraint "import_rows_currency_fkey" FOREIGN KEY (currency) REFERENCES currencies(code) not valid;

alter table "public"."import_rows" validate constraint "import_rows_currency_fkey";

alter table "public"."import_rows" add constraint "import_rows_line_check" CHECK ((line > 0)) not valid;

alter table "public"."import_rows" validate constraint "import_rows_line_check";

alter table "public"."import_rows" add constraint "import_rows_match_reason_check" CHECK ((match_reason = ANY (ARRAY['reference'::text, 'same_day'::text, 'near_day'::text, 'reference_amount'::text]))) not valid;

alter table "public"."import_rows" validate constraint "import_rows_match_reason_check";

alter table "public"."import_rows" add constraint "import_rows_org_id_batch_id_fkey" FOREIGN KEY (org_id, batch_id) REFERENCES import_batches(org_id, id) ON DELETE CASCADE not valid;

alter table "public"."import_rows" validate constraint "import_rows_org_id_batch_id_fkey";

alter table "public"."import_rows" add constraint "import_rows_org_id_duplicate_of_fkey" FOREIGN KEY (org_id, duplicate_of) REFERENCES transactions(org_id, id) ON DELETE SET NULL (duplicate_of) not valid;

alter table "public"."import_rows" validate constraint "import_rows_org_id_duplicate_of_fkey";

alter table "public"."import_rows" add constraint "import_rows_org_id_fkey" FOREIGN KEY (org_id) REFERENCES organizations(id) ON DELETE CASCADE not valid;

alter table "public"."import_rows" validate constraint "import_rows_org_id_fkey";

alter table "public"."import_rows" add constraint "import_rows_org_id_transaction_id_fkey" FOREIGN KEY (org_id, transaction_id) REFERENCES transactions(org_id, id) ON DELETE SET NULL (transaction_id) not valid;

alter table "public"."import_rows" validate constraint "import_rows_org_id_transaction_id_fkey";

alter table "public"."import_rows" add constraint "import_rows_text_check" CHECK ((char_length(text) <= 500)) not valid;

alter table "public"."import_rows" validate constraint "import_rows_text_check";

alter table "public"."import_rows" add constraint "import_rows_value_on_range" CHECK (private.calendar_day_in_range(value_on)) not valid;

alter table "public"."import_rows" validate constraint "import_rows_value_on_range";

alter table "public"."transactions" add constraint "transactions_bank_reference_check" CHECK ((char_length(bank_reference) <= 200)) not valid;

alter table "public"."transactions" validate constraint "transactions_bank_reference_check";

alter table "public"."transactions" add constraint "transactions_import_batch_fkey" FOREIGN KEY (org_id, import_batch_id) REFERENCES import_batches(org_id, id) ON DELETE SET NULL (import_batch_id) not valid;

alter table "public"."transactions" validate constraint "transactions_import_batch_fkey";

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION private.account_balance_on(org_id uuid, account_id uuid, day date)
 RETURNS bigint
 LANGUAGE sql
 STABLE
 SET search_path TO ''
AS $function$
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
$function$
;

CREATE OR REPLACE FUNCTION private.commit_import_rows(batch_id uuid, max_rows integer)
 RETURNS integer
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  batch public.import_batches;
  written integer;
begin
  -- Shared: an undo (which locks the batch for update) waits for this write, and the next one
  -- finds the batch undone.
  select * into batch from public.import_batches b where b.id = commit_import_rows.batch_id for share;
  if not found then
    raise sqlstate 'PT404' using message = 'IMPORT_BATCH_NOT_FOUND', detail = format('No import batch %s.', batch_id);
  end if;
  perform private.require_org_role(batch.org_id, 'member');
  if batch.status <> 'committing' then
    raise sqlstate 'PT409' using message = 'IMPORT_BATCH_CLOSED',
      detail = format('The batch is %s, not being committed.', batch.status);
  end if;
  -- Rows in file order, each written once: a row with its transaction is done, so a step that
  -- runs again after a lost checkpoint writes nothing twice.
  with picked as (
    select r.id, gen_random_uuid() as transaction_id, r.booked_on, r.amount_minor, r.currency, r.counterparty,
           r.text, r.bank_reference
    from public.import_rows r
    where r.org_id = batch.org_id and r.batch_id = batch.id and r.decision = 'import' and r.transaction_id is null
    order by r.line
    limit max_rows
    for update
  ), written_rows as (
    insert into public.transactions (id, org_id, kind, booked_on, amount_minor, currency, account_id, counterparty,
                                     description, import_batch_id, bank_reference)
    select p.transaction_id, batch.org_id,
           (case when p.amount_minor < 0 then 'expense' else 'income' end)::public.transaction_kind,
           p.booked_on, abs(p.amount_minor), p.currency, batch.account_id, p.counterparty, p.text, batch.id,
           p.bank_reference
    from picked p
    order by p.booked_on
    returning id
  )
  update public.import_rows r set transaction_id = p.transaction_id
  from picked p join written_rows w on w.id = p.transaction_id
  where r.org_id = batch.org_id and r.id = p.id;
  get diagnostics written = row_count;
  return written;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.finish_import(batch_id uuid)
 RETURNS import_batches
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  batch public.import_batches;
begin
  select * into batch from public.import_batches b where b.id = finish_import.batch_id for update;
  if not found then
    raise sqlstate 'PT404' using message = 'IMPORT_BATCH_NOT_FOUND', detail = format('No import batch %s.', batch_id);
  end if;
  perform private.require_org_role(batch.org_id, 'member');
  if batch.status = 'committed' then
    return batch;
  end if;
  update public.import_batches b
  set status = 'committed',
      committed_at = now(),
      committed_by = auth.uid(),
      imported_count = (select count(*) from public.import_rows r
                        where r.org_id = b.org_id and r.batch_id = b.id and r.transaction_id is not null),
      -- The opening balance is the balance before the statement's first entry. Its own date says
      -- less: MT940's :60F: carries the previous statement's day, CAMT's OPBD often the first
      -- day itself; so the day before the first entry, or before opening_on without entries.
      opening_difference_minor = case when b.opening_balance_minor is not null and b.opening_on is not null then
        private.account_balance_on(b.org_id, b.account_id, coalesce(
          (select min(r.booked_on) from public.import_rows r where r.org_id = b.org_id and r.batch_id = b.id),
          b.opening_on) - 1) - b.opening_balance_minor end,
      closing_difference_minor = case when b.closing_balance_minor is not null and b.closing_on is not null then
        private.account_balance_on(b.org_id, b.account_id, b.closing_on) - b.closing_balance_minor end
  where b.id = batch.id
  returning * into batch;
  return batch;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.guard_import_decision()
 RETURNS trigger
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
begin
  if new.decision is distinct from old.decision and current_setting('role', true) = 'authenticated' then
    if not exists (select from public.import_batches b
                   where b.org_id = new.org_id and b.id = new.batch_id and b.status = 'previewed') then
      raise sqlstate 'PT409' using message = 'IMPORT_BATCH_CLOSED',
        detail = 'The batch is committed or being committed: its decisions are final.';
    end if;
    new.decided_by := auth.uid();
  end if;
  return new;
end;
$function$
;

CREATE OR REPLACE FUNCTION private.undo_import(batch_id uuid)
 RETURNS import_batches
 LANGUAGE plpgsql
 SECURITY DEFINER
 SET search_path TO ''
AS $function$
declare
  batch public.import_batches;
  trashed integer;
begin
  select * into batch from public.import_batches b where b.id = undo_import.batch_id;
  -- Another organization's batch is no different from none.
  if not found or not (batch.org_id = any (private.org_ids_with_role('viewer'))) then
    raise sqlstate 'PT404' using message = 'IMPORT_BATCH_NOT_FOUND', detail = format('No import batch %s.', batch_id);
  end if;
  perform private.require_org_role(batch.org_id, 'member');
  perform private.require_good_standing(batch.org_id);
  -- One undo at a time per batch, and none while the commit runs.
  select * into batch from public.import_batches b where b.id = batch.id for update;
  -- A commit that stopped half way (the member lost their role, the organization became
  -- read-only) is undone like a finished one.
  if batch.status not in ('committed', 'committing') then
    raise sqlstate 'PT409' using message = 'IMPORT_BATCH_CLOSED',
      detail = format('Only a committed batch can be undone; this one is %s.', batch.status);
  end if;
  -- As the trash does (private.trash_instead_of_delete), for the whole batch at once.
  perform set_config('westwallet.internal_operation', 'trash', true);
  update public.transactions t set deleted_at = now(), deleted_by = auth.uid()
  where t.org_id = batch.org_id and t.import_batch_id = batch.id and t.deleted_at is null;
  get diagnostics trashed = row_count;
  perform set_config('westwallet.internal_operation', '', true);
  update public.import_batches b set status = 'undone', undone_at = now(), undone_by = auth.uid()
  where b.id = batch.id
  returning * into batch;
  return batch;
end;
$function$
;

CREATE OR REPLACE FUNCTION public.undo_import(batch_id uuid)
 RETURNS import_batches
 LANGUAGE sql
 SET search_path TO ''
AS $function$
  select * from private.undo_import(batch_id);
$function$
;

grant select on table "public"."import_batches" to "authenticated";

grant delete on table "public"."import_batches" to "service_role";

grant insert on table "public"."import_batches" to "service_role";

grant references on table "public"."import_batches" to "service_role";

grant select on table "public"."import_batches" to "service_role";

grant trigger on table "public"."import_batches" to "service_role";

grant truncate on table "public"."import_batches" to "service_role";

grant update on table "public"."import_batches" to "service_role";

grant delete on table "public"."import_mappings" to "authenticated";

grant insert on table "public"."import_mappings" to "authenticated";

grant select on table "public"."import_mappings" to "authenticated";

grant delete on table "public"."import_mappings" to "service_role";

grant insert on table "public"."import_mappings" to "service_role";

grant references on table "public"."import_mappings" to "service_role";

grant select on table "public"."import_mappings" to "service_role";

grant trigger on table "public"."import_mappings" to "service_role";

grant truncate on table "public"."import_mappings" to "service_role";

grant update on table "public"."import_mappings" to "service_role";

grant select on table "public"."import_rows" to "authenticated";

grant delete on table "public"."import_rows" to "service_role";

grant insert on table "public"."import_rows" to "service_role";

grant references on table "public"."import_rows" to "service_role";

grant select on table "public"."import_rows" to "service_role";

grant trigger on table "public"."import_rows" to "service_role";

grant truncate on table "public"."import_rows" to "service_role";

grant update on table "public"."import_rows" to "service_role";


  create policy "members read their organization's import batches"
  on "public"."import_batches"
  as permissive
  for select
  to authenticated
using ((org_id = ANY (( SELECT private.org_ids_with_role('viewer'::org_role) AS org_ids_with_role)::uuid[])));



  create policy "members change import mappings"
  on "public"."import_mappings"
  as permissive
  for update
  to authenticated
using ((org_id = ANY (( SELECT private.org_ids_with_role('member'::org_role) AS org_ids_with_role)::uuid[])))
with check ((org_id = ANY (( SELECT private.org_ids_with_role('member'::org_role) AS org_ids_with_role)::uuid[])));



  create policy "members read their organization's import mappings"
  on "public"."import_mappings"
  as permissive
  for select
  to authenticated
using ((org_id = ANY (( SELECT private.org_ids_with_role('viewer'::org_role) AS org_ids_with_role)::uuid[])));



  create policy "members remove import mappings"
  on "public"."import_mappings"
  as permissive
  for delete
  to authenticated
using ((org_id = ANY (( SELECT private.org_ids_with_role('member'::org_role) AS org_ids_with_role)::uuid[])));



  create policy "members save import mappings"
  on "public"."import_mappings"
  as permissive
  for insert
  to authenticated
with check ((org_id = ANY (( SELECT private.org_ids_with_role('member'::org_role) AS org_ids_with_role)::uuid[])));



  create policy "members decide on their organization's import rows"
  on "public"."import_rows"
  as permissive
  for update
  to authenticated
using ((org_id = ANY (( SELECT private.org_ids_with_role('member'::org_role) AS org_ids_with_role)::uuid[])))
with check ((org_id = ANY (( SELECT private.org_ids_with_role('member'::org_role) AS org_ids_with_role)::uuid[])));



  create policy "members read their organization's import rows"
  on "public"."import_rows"
  as permissive
  for select
  to authenticated
using ((org_id = ANY (( SELECT private.org_ids_with_role('viewer'::org_role) AS org_ids_with_role)::uuid[])));



  create policy "members read their organization's imports"
  on "storage"."objects"
  as permissive
  for select
  to authenticated
using (((bucket_id = 'imports'::text) AND ((storage.foldername(name))[1] = ANY ((( SELECT private.org_ids_with_role('member'::org_role) AS org_ids_with_role))::text[]))));



  create policy "members remove their organization's imports"
  on "storage"."objects"
  as permissive
  for delete
  to authenticated
using (((bucket_id = 'imports'::text) AND ((storage.foldername(name))[1] = ANY ((( SELECT private.org_ids_with_role('member'::org_role) AS org_ids_with_role))::text[]))));



  create policy "members upload statements into their organization's imports"
  on "storage"."objects"
  as permissive
  for insert
  to authenticated
with check (((bucket_id = 'imports'::text) AND ((storage.foldername(name))[1] = ANY ((( SELECT private.org_ids_with_role('member'::org_role) AS org_ids_with_role))::text[]))));


CREATE TRIGGER record_change AFTER INSERT OR DELETE OR UPDATE ON public.import_batches FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER record_change AFTER INSERT OR DELETE OR UPDATE ON public.import_mappings FOR EACH ROW EXECUTE FUNCTION private.record_change();

CREATE TRIGGER guard_import_decision BEFORE UPDATE OF decision ON public.import_rows FOR EACH ROW EXECUTE FUNCTION private.guard_import_decision();

comment on function private.account_balance_on(pg_catalog.uuid,pg_catalog.uuid,pg_catalog.date) is 'The account''s balance at the end of `day` in its currency (opening balance plus live transactions up to that day).';
comment on function private.commit_import_rows(pg_catalog.uuid,integer) is 'Writes up to max_rows of a committing batch''s rows marked import as transactions of the batch; answers how many (0: none left). For the import.commit job.';
comment on function private.finish_import(pg_catalog.uuid) is 'Marks a committing batch committed with its count and the account''s balance differences from the statement''s opening and closing balances. For the import.commit job.';
comment on function private.guard_import_decision() is 'Lets a member change a row''s decision only while its batch is previewed, and notes who decided (the commit keeps a member''s decision).';
comment on function private.undo_import(pg_catalog.uuid) is 'See public.undo_import.';
comment on function public.undo_import(pg_catalog.uuid) is 'Undoes a committed import batch: its transactions go to the trash and the batch is undone. Members; IMPORT_BATCH_NOT_FOUND, IMPORT_BATCH_CLOSED (not committed).';
comment on table public.import_batches is 'One import of a bank statement into an account: the preview''s counts and problems, then what the commit wrote (docs/imports.md). Written by the import jobs; undo_import() undoes a committed batch.';
comment on table public.import_mappings is 'How an account''s CSV statements are read, as a member corrected and saved it; the preview uses it when the job names no mapping.';
comment on table public.import_rows is 'The entries of an import batch as the preview staged them, with what they were found to be and the decision a member may change while the batch is previewed.';

revoke all on function private.account_balance_on(uuid,uuid,date) from public, anon, authenticated, service_role;
revoke all on function private.commit_import_rows(uuid,integer) from public, anon, authenticated, service_role;
grant execute on function private.commit_import_rows(uuid,integer) to authenticated;
revoke all on function private.finish_import(uuid) from public, anon, authenticated, service_role;
grant execute on function private.finish_import(uuid) to authenticated;
revoke all on function private.guard_import_decision() from public, anon, authenticated, service_role;
revoke all on function private.undo_import(uuid) from public, anon, authenticated, service_role;
grant execute on function private.undo_import(uuid) to authenticated;
revoke all on function public.undo_import(uuid) from public, anon, authenticated, service_role;
grant execute on function public.undo_import(uuid) to authenticated, service_role;
