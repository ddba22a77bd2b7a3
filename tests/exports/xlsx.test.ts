import {
  buildWorkbookSkeleton,
  type ExpenseStats,
  type Minor,
  minorToDecimal,
  transactionRowsXml,
} from '@westwallet/shared/exports';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { statsHousehold } from '../statistics/household.ts';
import { PartZip, readOverview, readTransactions } from './readers.ts';

describe('Excel export', () => {
  it('opens in exceljs with the transactions and the figures of expense_stats', async () => {
    const { owner, orgId } = await statsHousehold();
    const { data, error } = await owner.client.rpc('expense_stats', { org_id: orgId, year: 2026 });
    expect(error).toBeNull();
    const stats = data as unknown as ExpenseStats;
    const overview = await readOverview(owner.user.id, orgId);
    const skeleton = await buildWorkbookSkeleton({ stats, overview });

    // The transactions sheet as the job writes it: its head, a page of rows per step, its tail.
    const pages = await readTransactions(owner.user.id, orgId, {}, 4);
    const sheet: string[] = [skeleton.sheetHead];
    let next = 2;
    for (const page of pages) {
      sheet.push(transactionRowsXml(page, next, skeleton.styles));
      next += page.length;
    }
    sheet.push(skeleton.sheetTail);
    const zip = new PartZip();
    await zip.add(skeleton.sheetPath, sheet);
    for (const [path, bytes] of Object.entries(skeleton.files)) await zip.add(path, [bytes]);

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await zip.bytes()) as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((w) => w.name)).toEqual([
      'Transactions',
      'Summary 2026',
      'Budgets',
      'Contracts',
      'Vehicles',
      'Warranties',
      'Insurances',
    ]);

    const transactions = workbook.getWorksheet('Transactions');
    const rows = pages.flat();
    expect(transactions?.rowCount).toBe(rows.length + 1);
    expect(transactions?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    for (const [i, t] of rows.entries()) {
      const row = transactions?.getRow(i + 2);
      expect(row?.getCell(1).value).toBe(t.reference);
      expect(row?.getCell(2).value).toEqual(new Date(`${t.booked_on}T00:00:00Z`));
      expect(row?.getCell(4).value).toBe(Number(minorToDecimal(t.amount_minor, t.currency_exponent)));
      expect(row?.getCell(6).value).toBe(Number(minorToDecimal(t.base_amount_minor, 2)));
      expect(row?.getCell(6).numFmt).toBe('#,##0.00 "SEK"');
    }
    const spotify = rows.find((t) => t.counterparty === 'Spotify');
    expect(spotify?.currency).toBe('EUR');

    // Summary: each month's totals and each category's year equal expense_stats.
    const summary = workbook.getWorksheet('Summary 2026');
    const byLabel = new Map<string, ExcelJS.Row>();
    summary?.eachRow((row) => byLabel.set(String(row.getCell(1).value), row));
    const months = (row: ExcelJS.Row | undefined) => Array.from({ length: 13 }, (_, m) => row?.getCell(3 + m).value);
    const major = (minor: Minor) => Number(minorToDecimal(minor, 2));
    expect(months(byLabel.get('Income'))).toEqual([
      ...stats.months.map((m) => major(m.income_minor)),
      major(stats.totals.income_minor),
    ]);
    expect(months(byLabel.get('Expenses'))).toEqual([
      ...stats.months.map((m) => major(m.expense_minor)),
      major(stats.totals.expense_minor),
    ]);
    expect(major(stats.totals.expense_minor)).toBeGreaterThan(0);
    for (const c of stats.categories.filter((x) => x.name)) {
      const row = byLabel.get(c.name as string);
      expect(row?.getCell(15).value).toBe(major(c.kind === 'income' ? c.income_minor : c.expense_minor));
    }
    const budgets = workbook.getWorksheet('Budgets');
    expect(budgets?.getRow(2).getCell(3).value).toBe(4000);
  });
});
