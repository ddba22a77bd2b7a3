import { type ImportUndoParams, importUndoParams } from '@westwallet/shared/imports';
import type { JobKind } from '../jobs/kind.ts';
import { callPerBatchRows } from './batch-calls.ts';
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
      const { handled, finished } = await callPerBatchRows(ctx, 'undo_import_rows', params.batch_id, rowsPerCall);
      const trashed = state.trashed + handled;
      const progress = { fraction: finished ? 1 : 0.5, message: `${trashed} transactions in the trash` };
      if (!finished) return { state: { trashed }, progress };
      return { state: { trashed }, progress, done: { batch_id: params.batch_id, trashed } };
    } catch (error) {
      return asJobFailure(error);
    }
  },
};
