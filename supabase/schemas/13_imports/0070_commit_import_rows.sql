-- The commit job's writes, as the member who asked (the job sets their role and claims, as the
-- Data API would): the member must still be a writer and the organization in good standing.
-- Each row is prepared as a typed transaction is (vendor from the counterparty, its default
-- category, the categorizer's cascade, base amount, reference), but set-based: once per call
-- instead of once per row in the BEFORE triggers, which skip rows written under the internal
-- operation 'import'. Per row, those triggers cost about 1 ms of the company's 1.09 ms an
-- imported row (bench/README.md, Imports); the triggers that run once per statement still run
-- (audit, broadcast, totals, tags: private.record_inserts).
--
-- A call writes the open rows of a range of lines, so the job can run two calls on disjoint
-- ranges at once, one per core (supabase/functions/_shared/imports/commit-ranges.ts). Two
-- such calls take no lock the other waits for: rows are locked by range, the batch is shared,
-- the job created the batch's vendors before the first call (add_import_vendors), and everything
-- else they write is new rows (audit, totals, broadcasts, categorizations, references from the
-- organization's sequence).
create function private.commit_import_rows(batch_id uuid, first_line integer, last_line integer)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  batch public.import_batches := private.committing_batch(batch_id);
  uid uuid := auth.uid();
  org_currency text := (select o.base_currency from public.organizations o where o.id = batch.org_id);
  written integer;
begin
  perform set_config('westwallet.internal_operation', 'import', true);
  -- Each row written once: a row with its transaction is done, so a step that runs again after
  -- a lost checkpoint writes nothing twice.
  with locked as (
    select r.id, r.line, r.booked_on, r.amount_minor, r.currency, r.counterparty, r.text, r.bank_reference
    from public.import_rows r
    where r.org_id = batch.org_id and r.batch_id = batch.id and r.decision = 'import' and r.transaction_id is null
      and r.line between first_line and last_line
    for update
  ),
  picked as (
    select l.id, l.id as transaction_id, row_number() over (order by l.line) as n,
           (case when l.amount_minor < 0 then 'expense' else 'income' end) as kind,
           l.booked_on, abs(l.amount_minor) as amount_minor, l.currency, l.counterparty, l.text, l.bank_reference
    from locked l
  ),
  -- The vendor as prepare_transaction finds it: the live one of the payee's name, or where a
  -- merge led (the job created the batch's new vendors before its first call, add_import_vendors;
  -- vendor_for_name creates any other, one at a time).
  vendored as (
    select p.*, dc.id as default_category_id
    from (
      select p.*, coalesce(v.id, case when nullif(btrim(p.counterparty), '') is not null
                                      then private.vendor_for_name(batch.org_id, p.counterparty) end) as vendor_id
      from picked p
      left join public.vendors v on v.org_id = batch.org_id
        and v.normalized_name = private.normalize_vendor_name(p.counterparty) and v.deleted_at is null
    ) p
    left join public.vendors x on x.org_id = batch.org_id and x.id = p.vendor_id
    left join public.categories dc on dc.org_id = batch.org_id and dc.id = x.default_category_id
      and dc.deleted_at is null and dc.kind::text = p.kind
  ),
  -- The cascade, once for the step; a vendor's default category is the writer's choice and stays.
  suggested as (
    select s.*
    from (
      select array_agg(v.kind order by v.n) as kinds, array_agg(v.counterparty order by v.n) as payees,
             array_agg(v.text order by v.n) as texts, array_agg(v.amount_minor order by v.n) as amounts,
             array_agg(batch.account_id order by v.n) as account_ids,
             array_agg(v.default_category_id is not null order by v.n) as rules_only
      from vendored v
    ) a
    cross join lateral private.category_suggestions(batch.org_id, a.kinds, a.payees, a.texts, a.amounts,
                                                    a.account_ids, a.rules_only) s
  ),
  prepared as (
    select v.*, s.stage, s.confidence, s.reason, s.trail, s.rule_id, s.set_notes,
           coalesce(s.vendor_id, v.vendor_id) as final_vendor_id,
           coalesce(v.default_category_id,
                    case when s.confidence >= 0.5 then s.category_id end) as category_id,
           s.category_id as suggested_category_id,
           fx.fx_rate, fx.base_minor
    from vendored v
    join suggested s on s.n = v.n
    cross join lateral (
      select 1::numeric as fx_rate, v.amount_minor as base_minor where v.currency = org_currency
      union all
      select b.fx_rate, b.base_minor
      from private.to_base(batch.org_id, v.amount_minor, v.currency, v.booked_on, null, null, null, null) b
      where v.currency <> org_currency
    ) fx
  ),
  written_rows as (
    insert into public.transactions (id, org_id, kind, booked_on, amount_minor, currency, fx_rate, base_amount_minor,
                                     account_id, account_amount_minor, vendor_id, counterparty, category_id,
                                     description, notes, is_split, import_batch_id, bank_reference, reference,
                                     created_at, created_by, updated_at, updated_by)
    select p.transaction_id, batch.org_id, p.kind::public.transaction_kind, p.booked_on, p.amount_minor, p.currency,
           p.fx_rate, p.base_minor, batch.account_id, p.amount_minor, p.final_vendor_id, p.counterparty, p.category_id,
           p.text, p.set_notes, false, batch.id, p.bank_reference, private.next_reference(batch.org_id),
           now(), uid, now(), uid
    from prepared p
    order by p.booked_on, p.n
    returning id
  ),
  -- What the cascade said, as categorize_transaction records it for a typed transaction.
  recorded as (
    insert into public.transaction_categorizations
      (org_id, transaction_id, category_id, stage, confidence, reason, trail, applied, rule_id, set_by)
    select batch.org_id, p.transaction_id, coalesce(p.default_category_id, p.suggested_category_id),
           case when p.default_category_id is not null then 'user' else p.stage end,
           case when p.default_category_id is not null then 1 else p.confidence end,
           case when p.default_category_id is not null then 'set when the transaction was written' else p.reason end,
           p.trail,
           p.category_id is not null,
           p.rule_id,
           case when p.default_category_id is not null then uid end
    from prepared p
  )
  -- An imported transaction takes its row's id (picked), so the link is the row's own id, and the
  -- rows to link are the ids written, looked up in the primary key. (Not a join of the rows to
  -- the inserted ids: that was planned from the staged rows' statistics, stale for a batch the
  -- preview staged seconds ago, and compared each row with each, 0.1 s of a 1,000-row call's
  -- 0.33 s. Not the range's rows again either: reading nothing of written_rows, the update ran
  -- before the insert, and its foreign key check found no transactions.)
  update public.import_rows r set transaction_id = r.id
  where r.org_id = batch.org_id and r.id = any (array(select w.id from written_rows w));
  get diagnostics written = row_count;
  perform set_config('westwallet.internal_operation', '', true);
  return written;
end;
$$;

comment on function private.commit_import_rows(uuid, integer, integer) is
  'Writes the rows marked import of a committing batch''s lines first_line to last_line as transactions of the batch; answers how many. For the import.commit job.';

grant execute on function private.commit_import_rows(uuid, integer, integer) to authenticated;
