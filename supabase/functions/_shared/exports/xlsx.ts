import {
  buildWorkbookSkeleton,
  startEntry,
  type TransactionCursor,
  transactionRowsXml,
  type TransactionStyles,
  type XlsxExportParams,
  xlsxExportParams,
  type ZipEntry,
} from '@westwallet/shared/exports';
import type { JobKind } from '../jobs/kind.ts';
import { assembleZip, closeEntry, removeParts, stepReserveMs, wholeEntry, writeToEntry } from './parts.ts';
import { expenseStats, overview, readTransactionPages, transactionCount } from './read.ts';

interface XlsxState {
  phase: 'start' | 'rows' | 'assemble' | 'cleanup';
  /** Entry 0 is the transactions sheet, written a page at a time; the others are whole. */
  entries: ZipEntry[];
  styles: TransactionStyles | null;
  sheetTail: string;
  cursor: TransactionCursor | null;
  nextRow: number;
  total: number;
  truncated: boolean;
  path: string | null;
}

/** Excel's last row; a longer export stops there and says so in its result. */
const excelMaxRows = 1_048_576;
const maxPagesPerStep = 30;

/**
 * `export.xlsx`: the workbook. The first step builds everything but the transaction rows with
 * exceljs (summary of expense_stats, budgets, contracts, vehicles, warranties, insurances) and
 * stores each file as a ZIP entry; the next steps add the rows to the transactions sheet's entry
 * a few pages at a time; the last copies the parts together into the .xlsx.
 */
export const xlsxExport: JobKind<XlsxExportParams, XlsxState, { path: string; rows: number; truncated: boolean }> = {
  name: 'export.xlsx',
  role: 'viewer',
  params: xlsxExportParams,
  initialState: () => ({
    phase: 'start',
    entries: [],
    styles: null,
    sheetTail: '',
    cursor: null,
    nextRow: 2,
    total: 0,
    truncated: false,
    path: null,
  }),
  async step(ctx, params, state) {
    if (state.phase === 'start') {
      const info = await overview(ctx);
      const year = params.year ?? Number(info.organization.today.slice(0, 4));
      const skeleton = await buildWorkbookSkeleton({ stats: await expenseStats(ctx, year), overview: info });
      const sheet = await writeToEntry(ctx, 0, await startEntry(skeleton.sheetPath), skeleton.sheetHead);
      const entries = [sheet];
      for (const [path, bytes] of Object.entries(skeleton.files)) {
        entries.push(await wholeEntry(ctx, entries.length, path, bytes));
      }
      const next: XlsxState = {
        ...state,
        phase: 'rows',
        entries,
        styles: skeleton.styles,
        sheetTail: skeleton.sheetTail,
        total: await transactionCount(ctx),
      };
      return { state: next, progress: { fraction: 0.02, message: 'workbook started' } };
    }
    if (state.phase === 'rows') {
      let nextRow = state.nextRow;
      let xml = '';
      let truncated = false;
      let pages = 0;
      const read = await readTransactionPages(ctx, params.filters, state.cursor, (page) => {
        let batch = page;
        if (nextRow + batch.length - 1 > excelMaxRows) {
          batch = batch.slice(0, excelMaxRows - nextRow + 1);
          truncated = true;
        }
        xml += transactionRowsXml(batch, nextRow, state.styles as TransactionStyles);
        nextRow += batch.length;
        return !truncated && ++pages < maxPagesPerStep && ctx.deadline.remainingMs() > stepReserveMs;
      });
      const finished = read.finished || truncated;
      const cursor = read.cursor;
      let sheet = await writeToEntry(ctx, 0, state.entries[0], xml + (finished ? state.sheetTail : ''));
      if (finished) sheet = await closeEntry(ctx, 0, sheet);
      const entries = [sheet, ...state.entries.slice(1)];
      const rows = nextRow - 2;
      const next: XlsxState = { ...state, entries, cursor, nextRow, truncated, phase: finished ? 'assemble' : 'rows' };
      return {
        state: next,
        progress: { fraction: Math.min(0.95, rows / Math.max(state.total, 1)), message: `${rows} rows` },
      };
    }
    if (state.phase === 'assemble') {
      const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
      const { path } = await assembleZip(ctx, state.entries, 'westwallet.xlsx', type);
      return { state: { ...state, phase: 'cleanup', path }, progress: { fraction: 0.98, message: 'written' } };
    }
    await removeParts(ctx, state.entries.map((e) => e.parts));
    const result = { path: state.path as string, rows: state.nextRow - 2, truncated: state.truncated };
    return { state, progress: { fraction: 1, message: `${result.rows} rows` }, done: result };
  },
};
