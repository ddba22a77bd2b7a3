import {
  buildWorkbookSkeleton,
  centralDirectory,
  type TransactionCursor,
  transactionRowsXml,
  type TransactionStyles,
  type XlsxExportParams,
  xlsxExportParams,
  type ZipEntry,
} from '@westwallet/shared/exports';
import type { JobKind } from '../jobs/kind.ts';
import { expenseStats, overview, readTransactionPages, transactionCount } from './read.ts';
import {
  type ExportFile,
  fileOffset,
  finishUpload,
  newUpload,
  removeStaging,
  stepReserveMs,
  type UploadState,
  writeThrough,
  ZipStep,
} from './upload.ts';

interface XlsxState {
  phase: 'start' | 'rows' | 'finish' | 'cleanup';
  /** The workbook's files written whole, then the transactions sheet once it is closed. */
  entries: ZipEntry[];
  /** The transactions sheet, written last a few pages at a time. */
  sheet: ZipEntry | null;
  upload: UploadState;
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

const file: ExportFile = {
  name: 'westwallet.xlsx',
  contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/**
 * `export.xlsx`: the workbook. The first step builds everything but the transaction rows with
 * exceljs (summary of expense_stats, budgets, contracts, vehicles, warranties, insurances) and
 * writes each file as a ZIP entry, then opens the transactions sheet's entry; the next steps add
 * the rows to it a few pages at a time; the last writes the central directory. The archive is
 * uploaded as it is written (upload.ts).
 */
export const xlsxExport: JobKind<XlsxExportParams, XlsxState, { path: string; rows: number; truncated: boolean }> = {
  name: 'export.xlsx',
  role: 'viewer',
  params: xlsxExportParams,
  initialState: () => ({
    phase: 'start',
    entries: [],
    sheet: null,
    upload: newUpload(),
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
      const out = new ZipStep(fileOffset(state.upload));
      const entries: ZipEntry[] = [];
      for (const [path, bytes] of Object.entries(skeleton.files)) entries.push(await out.whole(path, bytes));
      const sheet = await out.write(await out.open(skeleton.sheetPath), skeleton.sheetHead);
      const next: XlsxState = {
        ...state,
        phase: 'rows',
        entries,
        sheet,
        upload: await writeThrough(ctx, file, state.upload, out.written),
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
      const out = new ZipStep(fileOffset(state.upload));
      let sheet = await out.write(state.sheet as ZipEntry, xml + (finished ? state.sheetTail : ''));
      if (finished) sheet = await out.close(sheet);
      const upload = await writeThrough(ctx, file, state.upload, out.written);
      const rows = nextRow - 2;
      const next: XlsxState = {
        ...state,
        entries: finished ? [...state.entries, sheet] : state.entries,
        sheet: finished ? null : sheet,
        upload,
        cursor,
        nextRow,
        truncated,
        phase: finished ? 'finish' : 'rows',
      };
      return {
        state: next,
        progress: { fraction: Math.min(0.95, rows / Math.max(state.total, 1)), message: `${rows} rows` },
      };
    }
    if (state.phase === 'finish') {
      const end = centralDirectory(state.entries, fileOffset(state.upload));
      const { path } = await finishUpload(ctx, file, state.upload, [end]);
      return { state: { ...state, phase: 'cleanup', path }, progress: { fraction: 0.98, message: 'written' } };
    }
    await removeStaging(ctx);
    const result = { path: state.path as string, rows: state.nextRow - 2, truncated: state.truncated };
    return { state, progress: { fraction: 1, message: `${result.rows} rows` }, done: result };
  },
};
