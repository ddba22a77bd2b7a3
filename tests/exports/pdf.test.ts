import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  type Dashboard,
  type ExpenseStats,
  formatMinor,
  localeFormat,
  type Minor,
  renderReport,
} from '@westwallet/shared/exports';
import { PDFDocument } from 'pdf-lib';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { describe, expect, it } from 'vitest';
import { statsHousehold } from '../statistics/household.ts';
import { readOverview } from './readers.ts';

const require = createRequire(import.meta.url);
const font = (file: string) => new Uint8Array(readFileSync(require.resolve(`dejavu-fonts-ttf/ttf/${file}`)));

async function pageTexts(pdf: Uint8Array): Promise<string[]> {
  const doc = await getDocument({ data: pdf.slice(), useSystemFonts: false }).promise;
  const texts: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    // No-break spaces (the Nordic thousands separator) come out as plain spaces.
    texts.push(content.items.map((item) => ('str' in item ? item.str : '')).join(' '));
  }
  return texts;
}

describe('PDF report', () => {
  it("prints the month's totals, categories and page numbers in the organization's language", async () => {
    const { owner, orgId } = await statsHousehold();
    const dashboard = await owner.client.rpc('dashboard', {
      org_id: orgId,
      from_date: '2026-02-01',
      to_date: '2026-02-28',
    });
    const stats = await owner.client.rpc('expense_stats', { org_id: orgId, year: 2026 });
    expect(dashboard.error ?? stats.error).toBeNull();
    const overview = await readOverview(owner.user.id, orgId);
    const pdf = await renderReport({
      period: { kind: 'month', year: 2026, month: 2 },
      dashboard: dashboard.data as unknown as Dashboard,
      stats: stats.data as unknown as ExpenseStats,
      overview,
      fonts: { regular: font('DejaVuSans.ttf'), bold: font('DejaVuSans-Bold.ttf') },
    });

    const doc = await PDFDocument.load(pdf);
    expect(doc.getPageCount()).toBeGreaterThanOrEqual(1);
    const [width, height] = [doc.getPage(0).getWidth(), doc.getPage(0).getHeight()];
    expect([Math.round(width), Math.round(height)]).toEqual([595, 842]);

    const text = (await pageTexts(pdf)).join('\n');
    const d = dashboard.data as unknown as Dashboard;
    const sv = { ...localeFormat('sv'), groupSeparator: ' ' };
    const money = (minor: Minor) => `${formatMinor(minor, 2, sv)} SEK`;
    expect(text).toContain('Månadsrapport');
    expect(text).toContain('februari 2026');
    expect(text).toContain(money(d.income_minor));
    expect(text).toContain(money(d.expense_minor));
    expect(Number(d.expense_minor)).toBeGreaterThan(0);
    expect(text).toContain('Pizzeria Napoli');
    // The food budget (4,000 SEK a month) against groceries and restaurants below it.
    const budgetRow = [d.budgets[0].name, money(400000), money(315000), money(85000)].join(' ');
    expect(text.replace(/\s+/g, ' ')).toContain(budgetRow);
    expect(text).toContain(`Sida 1 av ${doc.getPageCount()}`);
  });
});
