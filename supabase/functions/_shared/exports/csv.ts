import {
  type CsvExportParams,
  csvExportParams,
  csvHeader,
  type TransactionCursor,
  transactionRecords,
} from '@westwallet/shared/exports';
import type { JobKind } from '../jobs/kind.ts';
import { readTransactionPages, transactionCount } from './read.ts';
import {
  type ExportFile,
  finishUpload,
  newUpload,
  removeStaging,
  stepReserveMs,
  type UploadState,
  writeThrough,
} from './upload.ts';

interface CsvState {
  phase: 'rows' | 'finish' | 'cleanup';
  locale: string | null;
  rows: number;
  /** Live transactions of the organization when the export began: the progress bar's end. */
  total: number | null;
  cursor: TransactionCursor | null;
  upload: UploadState;
  path: string | null;
}

/** Pages read in one step at most, so what a step holds stays a few MB whatever the time budget. */
const maxPagesPerStep = 40;

const file: ExportFile = { name: 'transactions.csv', contentType: 'text/csv; charset=utf-8' };

/** `export.csv`: transactions as RFC 4180 CSV, uploaded as the pages are read (upload.ts). */
export const csvExport: JobKind<CsvExportParams, CsvState, { path: string; rows: number }> = {
  name: 'export.csv',
  role: 'viewer',
  params: csvExportParams,
  initialState: () => ({
    phase: 'rows',
    locale: null,
    rows: 0,
    total: null,
    cursor: null,
    upload: newUpload(),
    path: null,
  }),
  async step(ctx, params, state) {
    if (state.phase === 'rows') {
      const total = state.total ?? (await transactionCount(ctx));
      const locale = state.locale ?? params.locale ?? (await orgLocale(ctx));
      const options = { locale, bom: params.bom };
      let text = state.upload.steps === 0 ? csvHeader(options) : '';
      let rows = state.rows;
      let pages = 0;
      const { cursor, finished } = await readTransactionPages(ctx, params.filters, state.cursor, (batch) => {
        text += transactionRecords(batch, options);
        rows += batch.length;
        return ++pages < maxPagesPerStep && ctx.deadline.remainingMs() > stepReserveMs;
      });
      const upload = await writeThrough(ctx, file, state.upload, [new TextEncoder().encode(text)]);
      const next: CsvState = { ...state, locale, total, cursor, rows, upload, phase: finished ? 'finish' : 'rows' };
      return {
        state: next,
        progress: { fraction: Math.min(0.95, rows / Math.max(total, 1)), message: `${rows} rows` },
      };
    }
    if (state.phase === 'finish') {
      const { path } = await finishUpload(ctx, file, state.upload, []);
      return { state: { ...state, phase: 'cleanup', path }, progress: { fraction: 0.98, message: 'written' } };
    }
    await removeStaging(ctx);
    const result = { path: state.path as string, rows: state.rows };
    return { state, progress: { fraction: 1, message: `${state.rows} rows` }, done: result };
  },
};

async function orgLocale(ctx: Parameters<typeof transactionCount>[0]): Promise<string> {
  const [org] = await ctx.sql`select locale::text from public.organizations where id = ${ctx.orgId}`;
  return org?.locale ?? 'en';
}
