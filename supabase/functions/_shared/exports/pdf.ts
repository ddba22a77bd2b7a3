import { renderReport, type ReportParams, reportParams } from '@westwallet/shared/exports';
import type { JobKind } from '../jobs/kind.ts';
import { exportsBucket, jobFolder } from './upload.ts';
import { dashboard, expenseStats, overview } from './read.ts';

/**
 * DejaVu Sans (Bitstream Vera licence, fonts/LICENSE), shipped beside this module: an edge
 * function reads files it deploys with (`static_files` of the worker function in config.toml),
 * and npm packages' non-JavaScript files cannot be read from Deno's npm cache.
 */
async function fonts() {
  const [regular, bold] = await Promise.all([
    Deno.readFile(new URL('./fonts/DejaVuSans.ttf', import.meta.url)),
    Deno.readFile(new URL('./fonts/DejaVuSans-Bold.ttf', import.meta.url)),
  ]);
  return { regular, bold };
}

function lastDay(year: number, month: number): string {
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

/** `report.pdf`: the month or year report, one step (it reads aggregates only). */
export const reportPdf: JobKind<ReportParams, Record<string, never>, { path: string; pages: number }> = {
  name: 'report.pdf',
  role: 'viewer',
  params: reportParams,
  initialState: () => ({}),
  async step(ctx, params, state) {
    const { year, month } = params;
    const mm = String(month ?? 1).padStart(2, '0');
    const from = month ? `${year}-${mm}-01` : `${year}-01-01`;
    const to = month ? lastDay(year, month) : `${year}-12-31`;
    const pdf = await renderReport({
      period: month ? { kind: 'month', year, month } : { kind: 'year', year },
      dashboard: await dashboard(ctx, from, to),
      stats: await expenseStats(ctx, year),
      overview: await overview(ctx),
      fonts: await fonts(),
    });
    const path = `${jobFolder(ctx)}/report-${year}${month ? `-${mm}` : ''}.pdf`;
    await ctx.storage.upload(exportsBucket, path, pdf, { contentType: 'application/pdf' });
    const pages = (new TextDecoder('latin1').decode(pdf).match(/\/Type\s*\/Page[^s]/g) ?? []).length;
    return { state, progress: { fraction: 1, message: 'written' }, done: { path, pages } };
  },
};
