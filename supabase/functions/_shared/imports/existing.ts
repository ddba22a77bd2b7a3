import { type ErrorCode, errorCodes } from '@westwallet/shared';
import { duplicateWindowDays, type ExistingTransaction } from '@westwallet/shared/imports';
import type postgres from 'postgres';
import { JobFailure } from '../jobs/kind.ts';

/** The imports bucket (supabase/schemas/13_imports/0010_imports_bucket.sql). */
export const importsBucket = 'imports';

/**
 * The account's live transactions from `from` to `to`, widened by the duplicate window, with
 * what each moved on the account (signed): the other side of deduplication. Two range scans of
 * the account's indexes (as sender and as receiver of transfers), whatever the organization's size.
 * In day order (then id), so that deduplication, which takes the first of equals, reads any part
 * of the range in the order it reads the whole.
 */
export function accountTransactions(
  sql: postgres.Sql | postgres.TransactionSql,
  orgId: string,
  accountId: string,
  from: string,
  to: string,
): Promise<ExistingTransaction[]> {
  return existing(sql, orgId, accountId, from, to, sql``);
}

/**
 * The account's live transactions from `from` to `to` (widened as accountTransactions does) that
 * carry one of `references`, in the same order: what the reference pass of a part of a statement
 * can match, through the `(org_id, account_id, bank_reference)` index.
 */
export async function referencedTransactions(
  sql: postgres.Sql | postgres.TransactionSql,
  orgId: string,
  accountId: string,
  from: string,
  to: string,
  references: string[],
): Promise<ExistingTransaction[]> {
  if (references.length === 0) return [];
  return await existing(sql, orgId, accountId, from, to, sql`and t.bank_reference = any(${references}::text[])`);
}

async function existing(
  sql: postgres.Sql | postgres.TransactionSql,
  orgId: string,
  accountId: string,
  from: string,
  to: string,
  filter: postgres.PendingQuery<postgres.Row[]>,
): Promise<ExistingTransaction[]> {
  const rows = await sql<
    { id: string; booked_on: string; amount: string; counterparty: string | null; bank_reference: string | null }[]
  >`
    select t.id, t.booked_on::text,
           (case when t.kind = 'income' then t.account_amount_minor else -t.account_amount_minor end)::text as amount,
           t.counterparty, t.bank_reference
    from public.transactions t
    where t.org_id = ${orgId} and t.account_id = ${accountId} and t.deleted_at is null
      and t.booked_on between ${from}::date - ${duplicateWindowDays}::int and ${to}::date + ${duplicateWindowDays}::int
      ${filter}
    union all
    select t.id, t.booked_on::text, t.to_amount_minor::text, t.counterparty, t.bank_reference
    from public.transactions t
    where t.org_id = ${orgId} and t.to_account_id = ${accountId} and t.deleted_at is null
      and t.booked_on between ${from}::date - ${duplicateWindowDays}::int and ${to}::date + ${duplicateWindowDays}::int
      ${filter}
    order by booked_on, id`;
  return rows.map((r) => ({
    id: r.id,
    bookedOn: r.booked_on,
    amountMinor: Number(r.amount),
    counterparty: r.counterparty,
    bankReference: r.bank_reference,
  }));
}

/**
 * A refusal the database raised (PT4xx with an error code: the member lost their role, the
 * organization is read-only, the batch was committed meanwhile) ends the job with that code;
 * retrying cannot change it. Anything else is left to the runner's retries.
 */
export function asJobFailure(error: unknown): never {
  const e = error as { code?: string; message?: string; detail?: string };
  if (typeof e?.code === 'string' && /^PT4\d\d$/.test(e.code) && e.message && e.message in errorCodes) {
    throw new JobFailure(e.message as ErrorCode, e.detail ?? e.message);
  }
  throw error;
}

/** The first and last booking day of `days` (ISO strings order as dates). */
export function dayRange(days: string[]): { from: string; to: string } {
  let from = days[0];
  let to = days[0];
  for (const day of days) {
    if (day < from) from = day;
    if (day > to) to = day;
  }
  return { from, to };
}
