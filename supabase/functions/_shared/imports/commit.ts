import { classifyEntries, type ImportCommitParams, importCommitParams } from '@westwallet/shared/imports';
import { asRequester } from '../exports/read.ts';
import { JobFailure, type JobKind, type StepContext } from '../jobs/kind.ts';
import { commitRanges } from './commit-ranges.ts';
import { accountTransactions, asJobFailure, dayRange } from './existing.ts';

interface CommitState {
  phase: 'start' | 'vendors' | 'rows' | 'finish';
  total: number;
  /** The last line whose payee has its vendor (phase `vendors`). */
  vendorsAfter: number;
  written: number;
}

interface CommitResult {
  batch_id: string;
  imported: number;
  opening_difference_minor: number | null;
  closing_difference_minor: number | null;
}

/** Rows a call writes: each is one transaction of its own, a few hundred milliseconds. */
const rowsPerCall = 1000;
/**
 * Rows whose payees a call gives vendors: at most that many new vendors in one statement (5,000
 * new ones took 0.72 s on the benchmark's company; 5,000 known ones about 35 ms).
 */
const payeesPerCall = 5000;
/** What a step keeps in hand for its last call of the vendors phase. */
const stepReserveMs = 600;

/**
 * `import.commit`: writes a previewed batch's rows marked `import` as transactions of the batch,
 * as the member who asked (their role and the organization's standing are checked as for a typed
 * transaction, and each gets its vendor and category defaults), then records the account's
 * balance against the statement's. Before writing it checks the rows again against the account
 * as it is now, so a file committed twice (two previews of it) adds nothing the second time;
 * a member's own decisions stand.
 */
export const importCommit: JobKind<ImportCommitParams, CommitState, CommitResult> = {
  name: 'import.commit',
  role: 'member',
  params: importCommitParams,
  stepTimeoutMs: 60_000,
  // Its steps wait on Postgres (a 1,000-row call is ~0.3 s of the database's CPU, a few ms of the
  // worker's); each step end drains its two lanes of calls, which 1.5 s steps did every 3 calls.
  stepBudgetMs: 6_000,
  initialState: () => ({ phase: 'start', total: 0, vendorsAfter: 0, written: 0 }),
  async step(ctx, params, state) {
    try {
      if (state.phase === 'start') {
        const total = await begin(ctx, params.batch_id);
        return {
          state: { phase: 'vendors', total, vendorsAfter: 0, written: 0 },
          progress: { fraction: 0.02, message: `checked; ${total} rows to write` },
        };
      }
      if (state.phase === 'vendors') {
        // The batch's new payees become vendors before any row is written, so the calls that
        // write two ranges at once never both create one.
        let after = state.vendorsAfter;
        do {
          const last = await asRequester(ctx, async (sql) => {
            const [row] = await sql<{ last: number | null }[]>`
              select private.add_import_vendors(${params.batch_id}, ${after}, ${payeesPerCall}) as last`;
            return row.last;
          });
          if (last === null) {
            return {
              state: { ...state, phase: 'rows', vendorsAfter: after },
              progress: { fraction: 0.03, message: 'vendors added' },
            };
          }
          after = last;
        } while (ctx.deadline.remainingMs() > stepReserveMs);
        return {
          state: { ...state, vendorsAfter: after },
          progress: { fraction: 0.03, message: `vendors added up to line ${after}` },
        };
      }
      if (state.phase === 'rows') {
        const { written: handled, finished } = await commitRanges(ctx, params.batch_id, rowsPerCall);
        const written = state.written + handled;
        return {
          state: { ...state, phase: finished ? 'finish' : 'rows', written },
          progress: {
            fraction: 0.03 + 0.94 * (written / Math.max(state.total, 1)),
            message: `${written} rows written`,
          },
        };
      }
      const batch = await asRequester(ctx, async (sql) => {
        const [row] = await sql<
          { imported_count: number; opening_difference_minor: string | null; closing_difference_minor: string | null }[]
        >`select imported_count, opening_difference_minor::text, closing_difference_minor::text
          from private.finish_import(${params.batch_id})`;
        return row;
      });
      const toNumber = (v: string | null) => (v === null ? null : Number(v));
      const done: CommitResult = {
        batch_id: params.batch_id,
        imported: batch.imported_count,
        opening_difference_minor: toNumber(batch.opening_difference_minor),
        closing_difference_minor: toNumber(batch.closing_difference_minor),
      };
      return { state, progress: { fraction: 1, message: `${done.imported} transactions imported` }, done };
    } catch (error) {
      return asJobFailure(error);
    }
  },
};

/**
 * Locks the batch, checks its rows again against the account's transactions as they are now
 * (for the rows nobody decided on by hand) and marks it committing; answers how many rows it
 * will write.
 */
async function begin(ctx: StepContext, batchId: string): Promise<number> {
  return await ctx.sql.begin(async (sql) => {
    const [batch] = await sql<{ id: string; account_id: string; status: string }[]>`
      select b.id, b.account_id, b.status::text from public.import_batches b
      where b.org_id = ${ctx.orgId} and b.id = ${batchId} for update`;
    if (!batch) throw new JobFailure('IMPORT_BATCH_NOT_FOUND', `No import batch ${batchId} in the organization.`);
    if (batch.status !== 'previewed' && batch.status !== 'committing') {
      throw new JobFailure('IMPORT_BATCH_CLOSED', `The batch is ${batch.status}: only a previewed batch is committed.`);
    }
    // One commit per account at a time, so two batches of one statement cannot both see it missing.
    await sql`
      select from public.accounts a where a.org_id = ${ctx.orgId} and a.id = ${batch.account_id} for update`;
    const rows = await sql<
      {
        id: string;
        booked_on: string;
        amount: string;
        counterparty: string | null;
        text: string | null;
        bank_reference: string | null;
        status: string;
        duplicate_of: string | null;
        decided: boolean;
        transaction_id: string | null;
      }[]
    >`
      select r.transaction_id, r.id, r.booked_on::text, r.amount_minor::text as amount, r.counterparty, r.text, r.bank_reference,
             r.status::text, r.duplicate_of, r.decided_by is not null as decided
      from public.import_rows r
      where r.org_id = ${ctx.orgId} and r.batch_id = ${batchId}
      order by r.line`;
    // Rows written by an earlier attempt are done; the rest are checked against everything else.
    const written = new Set(rows.flatMap((r) => (r.transaction_id ? [r.transaction_id] : [])));
    const open = rows.filter((r) => r.transaction_id === null);
    if (open.length) {
      const range = dayRange(open.map((r) => r.booked_on));
      const existing = (await accountTransactions(sql, ctx.orgId, batch.account_id, range.from, range.to)).filter(
        (t) => !written.has(t.id),
      );
      const verdicts = classifyEntries(
        open.map((r) => ({
          bookedOn: r.booked_on,
          amountMinor: Number(r.amount),
          counterparty: r.counterparty,
          text: r.text,
          bankReference: r.bank_reference,
        })),
        existing,
      );
      const changed = open.flatMap((r, i) => {
        const v = verdicts[i];
        if (v.status === r.status && v.transactionId === r.duplicate_of) return [];
        return [{
          id: r.id,
          status: v.status,
          match_reason: v.reason,
          duplicate_of: v.transactionId,
          // What a member decided stands; the rest follows what the row is now.
          decision: r.decided ? null : v.status === 'new' ? 'import' : 'skip',
        }];
      });
      if (changed.length) {
        await sql`
          update public.import_rows r
          set status = c.status::public.import_row_status, match_reason = c.match_reason, duplicate_of = c.duplicate_of,
              decision = coalesce(c.decision::public.import_decision, r.decision)
          from jsonb_to_recordset(${sql.json(changed as never)})
            as c(id uuid, status text, match_reason text, duplicate_of uuid, decision text)
          where r.org_id = ${ctx.orgId} and r.id = c.id`;
      }
    }
    // A foreign-currency account needs the rate of each day (as a typed transaction does): refused
    // here, before anything is written, rather than half way through.
    const [unrated] = await sql<{ line: number; booked_on: string; currency: string }[]>`
      select r.line, r.booked_on::text, r.currency
      from public.import_rows r join public.organizations o on o.id = r.org_id
      where r.org_id = ${ctx.orgId} and r.batch_id = ${batchId} and r.decision = 'import' and r.transaction_id is null
        and r.currency <> o.base_currency
        and private.base_rate(o.id, r.currency, o.base_currency, r.booked_on) is null
      order by r.line
      limit 1`;
    if (unrated) {
      throw new JobFailure(
        'FX_RATE_MISSING',
        `Line ${unrated.line}: no ${unrated.currency} rate for ${unrated.booked_on} or the 7 days before; add one to exchange_rates.`,
      );
    }
    await sql`
      update public.import_batches b
      set status = 'committing',
          new_count = (select count(*) from public.import_rows r where r.org_id = b.org_id and r.batch_id = b.id and r.status = 'new'),
          duplicate_count = (select count(*) from public.import_rows r where r.org_id = b.org_id and r.batch_id = b.id and r.status = 'duplicate'),
          conflict_count = (select count(*) from public.import_rows r where r.org_id = b.org_id and r.batch_id = b.id and r.status = 'conflict')
      where b.org_id = ${ctx.orgId} and b.id = ${batchId}`;
    const [{ n }] = await sql<{ n: number }[]>`
      select count(*)::int as n from public.import_rows r
      where r.org_id = ${ctx.orgId} and r.batch_id = ${batchId} and r.decision = 'import' and r.transaction_id is null`;
    return n;
  });
}
