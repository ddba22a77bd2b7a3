import type postgres from 'postgres';
import {
  type Dashboard,
  type ExpenseStats,
  type ExportTransaction,
  nextCursor,
  type Overview,
  type TransactionCursor,
} from '@westwallet/shared/exports';
import type { StepContext } from '../jobs/kind.ts';

/**
 * The export readers (supabase/schemas/12_exports) as the member who asked: the worker's
 * connection bypasses row-level security, so each read runs in a transaction with that member's
 * role and claims, as the Data API would, and the export holds what they may see today.
 */
export async function asRequester<T>(ctx: StepContext, work: (sql: postgres.TransactionSql) => Promise<T>): Promise<T> {
  const member = ctx.requestedBy ?? (await owner(ctx));
  const claims = JSON.stringify({ sub: member, role: 'authenticated' });
  return await ctx.sql.begin(async (sql) => {
    await sql`select set_config('request.jwt.claims', ${claims}, true), set_config('role', 'authenticated', true)`;
    return await work(sql);
  }) as T;
}

/** A scheduled export (the monthly report) has nobody who asked: it reads as the organization's owner. */
async function owner(ctx: StepContext): Promise<string> {
  const [row] = await ctx.sql`
    select user_id from public.memberships where org_id = ${ctx.orgId} and role = 'owner' order by created_at limit 1`;
  if (!row) throw new Error(`organization ${ctx.orgId} has no owner`);
  return row.user_id;
}

/** search_transactions' page size limit. */
export const transactionPageSize = 500;

/**
 * Transactions after `cursor`, newest first (search_transactions' order and filters), a page at a
 * time in one transaction (one round trip per page): `onPage` takes each page and says whether
 * to read another. Returns where to go on from, and whether the last page was the end.
 */
export function readTransactionPages(
  ctx: StepContext,
  filters: Record<string, unknown>,
  cursor: TransactionCursor | null,
  onPage: (rows: ExportTransaction[]) => boolean,
): Promise<{ cursor: TransactionCursor | null; finished: boolean }> {
  return asRequester(ctx, async (sql) => {
    for (;;) {
      const rows = [
        ...(await sql<ExportTransaction[]>`
          select id, reference, booked_on::text, kind, amount_minor, currency, currency_exponent, fx_rate::text,
                 base_amount_minor, base_currency, base_exponent, account, to_account, category, vendor, counterparty,
                 description, notes, payment_method, tags, splits
          from private.export_transactions(${ctx.orgId}, ${sql.json(filters as postgres.JSONValue)},
                                           ${cursor?.after_booked_on ?? null}, ${cursor?.after_reference ?? null},
                                           ${transactionPageSize})`),
      ];
      cursor = nextCursor(rows, cursor);
      const more = onPage(rows);
      if (rows.length < transactionPageSize) return { cursor, finished: true };
      if (!more) return { cursor, finished: false };
    }
  });
}

export function overview(ctx: StepContext): Promise<Overview> {
  return asRequester(ctx, async (sql) => {
    const [row] = await sql`select private.export_overview(${ctx.orgId}) as overview`;
    return row.overview as Overview;
  });
}

export function expenseStats(ctx: StepContext, year: number): Promise<ExpenseStats> {
  return asRequester(ctx, async (sql) => {
    const [row] = await sql`select public.expense_stats(${ctx.orgId}, ${year}) as stats`;
    return row.stats as ExpenseStats;
  });
}

export function dashboard(ctx: StepContext, from: string, to: string): Promise<Dashboard> {
  return asRequester(ctx, async (sql) => {
    const [row] = await sql`select public.dashboard(${ctx.orgId}, ${from}::date, ${to}::date) as dashboard`;
    return row.dashboard as Dashboard;
  });
}

/** The organization's live transactions: an export's progress bar ends here (filters only shorten it). */
export async function transactionCount(ctx: StepContext): Promise<number> {
  const [row] = await ctx.sql`
    select count(*)::int as count from public.transactions where org_id = ${ctx.orgId} and deleted_at is null`;
  return row.count;
}
