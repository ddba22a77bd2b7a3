import { asRequester } from '../exports/read.ts';
import type { StepContext } from '../jobs/kind.ts';

/** A batch row not written yet, as the plan needs it. */
export interface OpenRow {
  line: number;
  booked_on: string;
}

/** Lines first to last (both included) of a batch, written by one call, and the days they hold. */
export interface LineRange {
  first: number;
  last: number;
  days: Set<string>;
}

/**
 * The next range of at most `rows` open rows (the open rows in line order, one more than `rows`
 * when there are that many). It ends where a day ends when one does in its second half, so that
 * a statement sorted by date (as banks write them) gives ranges that share no day.
 */
export function nextRange(open: OpenRow[], rows: number): LineRange | null {
  if (open.length === 0) return null;
  let end = Math.min(rows, open.length);
  if (end < open.length && open[end - 1].booked_on === open[end].booked_on) {
    for (let cut = end - 1; cut >= Math.ceil(rows / 2); cut--) {
      if (open[cut - 1].booked_on !== open[cut].booked_on) {
        end = cut;
        break;
      }
    }
  }
  const taken = open.slice(0, end);
  return { first: taken[0].line, last: taken[end - 1].line, days: new Set(taken.map((r) => r.booked_on)) };
}

/** Calls at once: one per core of the benchmark's machine, and the job's two connections. */
const lanes = 2;

/** What a step keeps in hand for the calls still running when it stops planning. */
const stepReserveMs = 600;

interface Running {
  range: LineRange;
  /** Never rejects: a failure is kept until the range is settled, and only then run again. */
  call: Promise<{ written: number } | { failed: unknown }>;
}

/**
 * Writes a committing batch's open rows, a range of at most `rows` a call (nextRange), two calls
 * at once, until none are left or the step's time runs short. Each call is one bounded statement
 * in its own transaction as the member who asked, and marks its rows written, so a step that
 * runs again after a lost checkpoint repeats no row.
 *
 * A transaction's reference comes from the organization's sequence as it is written, and a list
 * orders one day's transactions by reference; two calls at once interleave their references. So
 * a range starts only once every running range that shares a day with it has ended: each day's
 * rows take their references in line order, as one call after another would give them.
 *
 * A call that fails is run again alone once the others have ended (two calls can still meet where
 * both create a rule's new tag); no range is started meanwhile, so the order above holds. Answers
 * how many rows the calls wrote and whether the batch is through.
 */
export async function commitRanges(
  ctx: StepContext,
  batchId: string,
  rows: number,
): Promise<{ written: number; finished: boolean }> {
  let written = 0;
  let running: Running[] = [];
  let after = 0;
  let finished = false;
  // Waits for the oldest running call (or all); a failure waits for all, then runs the failed
  // ranges again alone.
  const settle = async (all: boolean) => {
    const ending = all ? running : running.slice(0, 1);
    running = running.slice(ending.length);
    const outcomes = await Promise.all(ending.map((r) => r.call));
    const failed = ending.filter((_, i) => 'failed' in outcomes[i]);
    for (const outcome of outcomes) if ('written' in outcome) written += outcome.written;
    if (failed.length === 0) return;
    await settle(true);
    for (const { range } of failed) written += await commitRange(ctx, batchId, range);
  };
  try {
    while (ctx.deadline.remainingMs() > stepReserveMs) {
      const open = await ctx.sql<OpenRow[]>`
        select r.line, r.booked_on::text from public.import_rows r
        where r.org_id = ${ctx.orgId} and r.batch_id = ${batchId} and r.decision = 'import' and r.transaction_id is null
          and r.line > ${after}
        order by r.line
        limit ${rows + 1}`;
      const range = nextRange(open, rows);
      if (!range) {
        finished = true;
        break;
      }
      while (running.length >= lanes || running.some((r) => [...r.range.days].some((d) => range.days.has(d)))) {
        await settle(false);
      }
      const call = commitRange(ctx, batchId, range).then(
        (n) => ({ written: n }),
        (error: unknown) => ({ failed: error }),
      );
      running.push({ range, call });
      after = range.last;
    }
  } finally {
    await settle(true);
  }
  return { written, finished };
}

async function commitRange(ctx: StepContext, batchId: string, range: LineRange): Promise<number> {
  return await asRequester(ctx, async (sql) => {
    const [row] = await sql<{ n: number }[]>`
      select private.commit_import_rows(${batchId}, ${range.first}, ${range.last}) as n`;
    return row.n;
  });
}
