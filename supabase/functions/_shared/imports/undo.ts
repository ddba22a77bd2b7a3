import { type ImportUndoParams, importUndoParams } from '@westwallet/shared/imports';
import { asRequester } from '../exports/read.ts';
import type { JobKind, StepContext } from '../jobs/kind.ts';
import { asJobFailure } from './existing.ts';

interface UndoState {
  trashed: number;
}

interface UndoResult {
  batch_id: string;
  trashed: number;
}

/**
 * Rows a call trashes: one statement each, well inside hosted's 8 s statement timeout (about
 * 1.3 s for 2,000 on the benchmark's database, bench/README.md).
 */
const rowsPerCall = 2000;

/**
 * `import.undo`, queued by `undo_import()`: trashes the batch's transactions in bounded chunks
 * as the member who asked (each restorable from the trash one by one), and the last chunk marks
 * the batch undone. Each call is its own transaction, so a step run again trashes nothing twice.
 */
export const importUndo: JobKind<ImportUndoParams, UndoState, UndoResult> = {
  name: 'import.undo',
  role: 'member',
  params: importUndoParams,
  stepTimeoutMs: 60_000,
  initialState: () => ({ trashed: 0 }),
  async step(ctx, params, state) {
    try {
      const { handled, finished } = await undoRows(ctx, params.batch_id, rowsPerCall);
      const trashed = state.trashed + handled;
      const progress = { fraction: finished ? 1 : 0.5, message: `${trashed} transactions in the trash` };
      if (!finished) return { state: { trashed }, progress };
      return { state: { trashed }, progress, done: { batch_id: params.batch_id, trashed } };
    } catch (error) {
      return asJobFailure(error);
    }
  },
};

/** What a step keeps in hand for its last call's round trip. */
const stepReserveMs = 600;

/**
 * Calls `private.undo_import_rows(batch_id, rows)` as the member who asked, again and again,
 * until a call handles fewer than `rows` (none are left) or the step's time runs short. Each call is one
 * bounded statement in its own transaction, well inside hosted's 8 s statement timeout, and
 * marks what it did in the database, so a step that runs again after a lost checkpoint repeats
 * no row. Answers how many rows the calls handled and whether the batch is through.
 */
async function undoRows(
  ctx: StepContext,
  batchId: string,
  rows: number,
): Promise<{ handled: number; finished: boolean }> {
  let handled = 0;
  let finished = false;
  do {
    const n = await asRequester(ctx, async (sql) => {
      const [row] = await sql<{ n: number }[]>`select private.undo_import_rows(${batchId}, ${rows}) as n`;
      return row.n;
    });
    handled += n;
    finished = n < rows;
  } while (!finished && ctx.deadline.remainingMs() > stepReserveMs);
  return { handled, finished };
}
