import fontkit from '@pdf-lib/fontkit';
import { type PDFDocument as Doc, PDFDocument, type PDFFont, type PDFPage, rgb } from 'pdf-lib';
import { localeFormat } from './locale.ts';
import { formatMinor, type Minor } from './money.ts';
import type { Dashboard, ExpenseStats, Overview } from './report-data.ts';
import { type ReportLabels, reportLabels } from './report-labels.ts';

/**
 * The month or year report as a PDF: A4, an embedded Unicode font (DejaVu Sans, so any name
 * prints), the organization's language and number format, page numbers. Built in one step: it
 * reads only aggregates (dashboard, expense_stats, export_overview), never the rows.
 */
export interface ReportInput {
  period: { kind: 'month'; year: number; month: number } | { kind: 'year'; year: number };
  dashboard: Dashboard;
  stats: ExpenseStats;
  overview: Overview;
  /** TrueType bytes: DejaVuSans.ttf and DejaVuSans-Bold.ttf from the `dejavu-fonts-ttf` package. */
  fonts: { regular: Uint8Array; bold: Uint8Array };
}

const A4: [number, number] = [595.28, 841.89];
const margin = 50;
const ink = rgb(0.12, 0.14, 0.18);
const muted = rgb(0.42, 0.45, 0.5);
const rule = rgb(0.85, 0.87, 0.9);
const incomeColor = rgb(0.16, 0.55, 0.4);
const expenseColor = rgb(0.8, 0.33, 0.27);

interface Column {
  title: string;
  width: number;
  align?: 'right';
}

class Layout {
  page!: PDFPage;
  y = 0;
  constructor(
    readonly doc: Doc,
    readonly regular: PDFFont,
    readonly bold: PDFFont,
  ) {
    this.newPage();
  }
  newPage() {
    this.page = this.doc.addPage(A4);
    this.y = A4[1] - margin;
  }
  /** Starts a new page unless `height` points fit above the footer. */
  need(height: number) {
    if (this.y - height < margin + 20) this.newPage();
  }
  text(text: string, x: number, size = 10, font = this.regular, color = ink) {
    this.page.drawText(text, { x, y: this.y, size, font, color });
  }
  rightText(text: string, right: number, size = 10, font = this.regular, color = ink) {
    this.text(text, right - font.widthOfTextAtSize(text, size), size, font, color);
  }
  heading(text: string) {
    this.need(48);
    this.y -= 22;
    this.text(text, margin, 13, this.bold);
    this.y -= 8;
    this.page.drawLine({
      start: { x: margin, y: this.y },
      end: { x: A4[0] - margin, y: this.y },
      color: rule,
      thickness: 1,
    });
    this.y -= 14;
  }
  /** Cuts text to `width` with an ellipsis. */
  fit(text: string, width: number, size = 10): string {
    if (this.regular.widthOfTextAtSize(text, size) <= width) return text;
    let cut = text;
    while (cut.length > 1 && this.regular.widthOfTextAtSize(`${cut}…`, size) > width) cut = cut.slice(0, -1);
    return `${cut}…`;
  }
  table(columns: Column[], rows: string[][], empty: string) {
    const header = () => {
      let x = margin;
      for (const c of columns) {
        if (c.align === 'right') this.rightText(c.title, x + c.width, 9, this.bold, muted);
        else this.text(c.title, x, 9, this.bold, muted);
        x += c.width;
      }
      this.y -= 15;
    };
    header();
    if (rows.length === 0) {
      this.text(empty, margin, 10, this.regular, muted);
      this.y -= 15;
    }
    for (const row of rows) {
      if (this.y - 15 < margin + 20) {
        this.newPage();
        header();
      }
      let x = margin;
      row.forEach((cell, i) => {
        const c = columns[i];
        if (c.align === 'right') this.rightText(cell, x + c.width, 10);
        else this.text(this.fit(cell, c.width - 8), x, 10);
        x += c.width;
      });
      this.y -= 15;
    }
  }
}

function periodTitle(input: ReportInput, labels: ReportLabels): string {
  const p = input.period;
  return p.kind === 'month'
    ? `${labels.monthReport} · ${labels.monthNames[p.month - 1]} ${p.year}`
    : `${labels.yearReport} · ${p.year}`;
}

function dateText(iso: string, locale: string): string {
  const [y, m, d] = iso.slice(0, 10).split('-');
  return locale === 'en' ? `${y}-${m}-${d}` : locale === 'sv' ? `${y}-${m}-${d}` : `${d}.${m}.${y}`;
}

/** Minor units as a scaled bar height: bigint arithmetic, then one small integer to a number. */
function barHeight(value: Minor, max: bigint, height: number): number {
  if (max === 0n) return 0;
  return (Number((BigInt(value) * 1000n) / max) * height) / 1000;
}

export async function renderReport(input: ReportInput): Promise<Uint8Array> {
  const { dashboard, stats, overview } = input;
  const org = overview.organization;
  const locale = (org.locale in reportLabels ? org.locale : 'en') as keyof typeof reportLabels;
  const labels = reportLabels[locale];
  const { decimalMark, groupSeparator } = localeFormat(locale);
  const money = (minor: Minor) =>
    `${formatMinor(minor, org.base_exponent, { decimalMark, groupSeparator })} ${org.base_currency}`;

  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const title = `${org.name} · ${periodTitle(input, labels)}`;
  doc.setTitle(title);
  doc.setCreator('WestWallet');
  doc.setLanguage(locale);
  const regular = await doc.embedFont(input.fonts.regular, { subset: true });
  const bold = await doc.embedFont(input.fonts.bold, { subset: true });
  const l = new Layout(doc, regular, bold);
  const width = A4[0] - 2 * margin;

  // Title block.
  l.text(org.name, margin, 20, bold);
  l.y -= 22;
  l.text(periodTitle(input, labels), margin, 13, regular, muted);
  l.y -= 14;
  l.text(`${dateText(dashboard.from, locale)} – ${dateText(dashboard.to, locale)}`, margin, 9, regular, muted);
  l.y -= 26;

  // Totals: three boxes.
  const boxWidth = (width - 20) / 3;
  const totals: [string, Minor, ReturnType<typeof rgb>][] = [
    [labels.income, dashboard.income_minor, incomeColor],
    [labels.expenses, dashboard.expense_minor, expenseColor],
    [labels.result, dashboard.difference_minor, ink],
  ];
  totals.forEach(([label, value, color], i) => {
    const x = margin + i * (boxWidth + 10);
    l.page.drawRectangle({
      x,
      y: l.y - 38,
      width: boxWidth,
      height: 52,
      color: rgb(0.96, 0.97, 0.98),
      borderColor: rule,
      borderWidth: 1,
    });
    l.page.drawText(label, { x: x + 10, y: l.y - 2, size: 9, font: regular, color: muted });
    l.page.drawText(money(value), { x: x + 10, y: l.y - 24, size: 14, font: bold, color });
  });
  l.y -= 60;

  // Bar chart of the year's months: income and expenses side by side.
  l.heading(`${labels.months} ${stats.year}`);
  const chartHeight = 120;
  l.need(chartHeight + 30);
  const max = stats.months.reduce((m, x) => {
    const a = BigInt(x.income_minor);
    const b = BigInt(x.expense_minor);
    return a > m ? (b > a ? b : a) : b > m ? b : m;
  }, 0n);
  const base = l.y - chartHeight;
  const slot = width / 12;
  l.page.drawLine({ start: { x: margin, y: base }, end: { x: margin + width, y: base }, color: muted, thickness: 0.5 });
  stats.months.forEach((m, i) => {
    const x = margin + i * slot + slot * 0.15;
    const bar = slot * 0.33;
    l.page.drawRectangle({
      x,
      y: base,
      width: bar,
      height: barHeight(m.income_minor, max, chartHeight - 10),
      color: incomeColor,
    });
    l.page.drawRectangle({
      x: x + bar + 1,
      y: base,
      width: bar,
      height: barHeight(m.expense_minor, max, chartHeight - 10),
      color: expenseColor,
    });
    const name = labels.monthNames[i].slice(0, 3);
    l.page.drawText(name, {
      x: margin + i * slot + (slot - regular.widthOfTextAtSize(name, 8)) / 2,
      y: base - 11,
      size: 8,
      font: regular,
      color: muted,
    });
  });
  l.y = base - 22;
  l.page.drawRectangle({ x: margin, y: l.y, width: 8, height: 8, color: incomeColor });
  l.page.drawText(labels.income, { x: margin + 12, y: l.y, size: 8, font: regular, color: muted });
  l.page.drawRectangle({ x: margin + 80, y: l.y, width: 8, height: 8, color: expenseColor });
  l.page.drawText(labels.expenses, { x: margin + 92, y: l.y, size: 8, font: regular, color: muted });
  l.y -= 6;

  // Where the money went, then the budgets (a parent's budget covers its children).
  l.heading(labels.byCategory);
  l.table(
    [
      { title: labels.category, width: width - 150 },
      { title: labels.actual, width: 150, align: 'right' },
    ],
    dashboard.by_category.map((c) => [
      `${c.name ?? labels.uncategorized}${c.kind === 'income' ? ` (${labels.income.toLowerCase()})` : ''}`,
      money(c.kind === 'income' ? c.income_minor : c.expense_minor),
    ]),
    labels.nothing,
  );

  l.heading(labels.budgets);
  l.table(
    [
      { title: labels.category, width: width - 3 * 110 },
      { title: labels.budget, width: 110, align: 'right' },
      { title: labels.actual, width: 110, align: 'right' },
      { title: labels.remaining, width: 110, align: 'right' },
    ],
    dashboard.budgets.map((b) => [b.name, money(b.budget_minor), money(b.actual_minor), money(b.remaining_minor)]),
    labels.nothing,
  );

  l.heading(labels.topVendors);
  l.table(
    [
      { title: labels.vendor, width: width - 130 },
      { title: labels.expenses, width: 130, align: 'right' },
    ],
    dashboard.top_vendors.map((v) => [v.name, money(v.expense_minor)]),
    labels.nothing,
  );

  l.heading(labels.noticeDeadlines);
  l.table(
    [
      { title: labels.contract, width: width - 230 },
      { title: labels.deadline, width: 100, align: 'right' },
      { title: labels.perYear, width: 130, align: 'right' },
    ],
    overview.notice_deadlines.map((k) => [
      `${k.name} (${k.reference})`,
      dateText(k.notice_deadline_on, locale),
      k.yearly_base_minor === null ? '' : money(k.yearly_base_minor),
    ]),
    labels.nothing,
  );

  l.heading(labels.expiringWarranties);
  l.table(
    [
      { title: labels.product, width: width - 100 },
      { title: labels.ends, width: 100, align: 'right' },
    ],
    overview.expiring_warranties.map((w) => [`${w.product} (${w.reference})`, dateText(w.ends_on, locale)]),
    labels.nothing,
  );

  // Footers last, when the page count is known.
  const pages = doc.getPages();
  const created = `${labels.created} ${dateText(org.today, locale)}`;
  pages.forEach((page, i) => {
    const number = labels.page(i + 1, pages.length);
    page.drawLine({
      start: { x: margin, y: margin - 6 },
      end: { x: A4[0] - margin, y: margin - 6 },
      color: rule,
      thickness: 0.5,
    });
    page.drawText(`${org.name} · ${created}`, { x: margin, y: margin - 20, size: 8, font: regular, color: muted });
    page.drawText(number, {
      x: A4[0] - margin - regular.widthOfTextAtSize(number, 8),
      y: margin - 20,
      size: 8,
      font: regular,
      color: muted,
    });
  });
  return doc.save({ useObjectStreams: true });
}
