import { asRequester } from '../exports/read.ts';
import type { StepContext } from '../jobs/kind.ts';

/** What a step keeps in hand for its last call's round trip. */
const stepReserveMs = 600;

/**
 * Calls `private.<fn>(batch_id, rows)` as the member who asked, again and again, until a call
 * handles fewer than `rows` (none are left) or the step's time runs short. Each call is one
 * bounded statement in its own transaction, well inside hosted's 8 s statement timeout, and
 * marks what it did in the database, so a step that runs again after a lost checkpoint repeats
 * no row. Answers how many rows the calls handled and whether the batch is through.
 */
export async function callPerBatchRows(
  ctx: StepContext,
  fn: 'commit_import_rows' | 'undo_import_rows',
  batchId: string,
  rows: number,
): Promise<{ handled: number; finished: boolean }> {
  let handled = 0;
  let finished = false;
  do {
    const n = await asRequester(ctx, async (sql) => {
      const [row] = await sql<{ n: number }[]>`select private.${sql(fn)}(${batchId}, ${rows}) as n`;
      return row.n;
    });
    handled += n;
    finished = n < rows;
  } while (!finished && ctx.deadline.remainingMs() > stepReserveMs);
  return { handled, finished };
}
