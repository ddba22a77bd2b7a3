import ExcelJS from 'exceljs';
import { strFromU8, unzipSync } from 'fflate';
import { type Minor, minorToDecimal } from './money.ts';
import type { ExpenseStats, Overview } from './report-data.ts';
import type { ExportTransaction } from './transaction-row.ts';

/**
 * The Excel workbook, in two halves. exceljs builds everything but the transaction rows (the
 * small sheets, styles, column widths, frozen headers) as a "skeleton"; the transactions sheet's
 * XML is cut around its rows, which the export's steps write a page at a time as plain
 * SpreadsheetML (inline strings, styles by the ids exceljs gave a template row). The zip module
 * puts the two together, so a million rows never sit in exceljs's memory.
 */

/** The style ids (`s` attributes) a transaction row's cells use. */
export interface TransactionStyles {
  date: number;
  /** By currency exponent 0..4: '#,##0', '#,##0.00', ... */
  amount: number[];
  /** The base amount: the base currency's format with its code. */
  baseAmount: number;
}

export interface WorkbookSkeleton {
  /** Every file of the workbook but the transactions sheet, by path in the ZIP. */
  files: Record<string, Uint8Array>;
  /** The transactions sheet's path and its XML before and after the data rows. */
  sheetPath: string;
  sheetHead: string;
  sheetTail: string;
  styles: TransactionStyles;
}

export interface WorkbookData {
  stats: ExpenseStats;
  overview: Overview;
}

const transactionColumns: { header: string; width: number }[] = [
  { header: 'Reference', width: 12 },
  { header: 'Date', width: 12 },
  { header: 'Kind', width: 10 },
  { header: 'Amount', width: 14 },
  { header: 'Currency', width: 9 },
  { header: 'Base amount', width: 15 },
  { header: 'Category', width: 28 },
  { header: 'Vendor', width: 24 },
  { header: 'Counterparty', width: 24 },
  { header: 'Description', width: 36 },
  { header: 'Account', width: 18 },
  { header: 'Payment method', width: 14 },
  { header: 'Tags', width: 20 },
  { header: 'Split parts', width: 36 },
];

const monthNames = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function amountFormat(exponent: number, currency?: string): string {
  const number = exponent > 0 ? `#,##0.${'0'.repeat(exponent)}` : '#,##0';
  return currency ? `${number} "${currency}"` : number;
}

/**
 * A spreadsheet cell holds an IEEE double: the exact decimal string is what we compute, and the
 * double nearest to it is what any spreadsheet stores. Amounts are bounded far below 2^53 minor
 * units, so the number prints back as the same decimal.
 */
function cellNumber(minor: Minor, exponent: number): number {
  return Number(minorToDecimal(minor, exponent));
}

/** The date as a calendar date cell (exceljs writes a UTC Date as the day's serial number). */
function cellDate(iso: string | null): Date | null {
  return iso ? new Date(`${iso.slice(0, 10)}T00:00:00Z`) : null;
}

function frozenSheet(workbook: ExcelJS.Workbook, name: string, columns: { header: string; width: number }[]) {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({ header: c.header, width: c.width }));
  sheet.getRow(1).font = { bold: true };
  return sheet;
}

function styleColumns(sheet: ExcelJS.Worksheet, formats: Record<number, string>) {
  for (const [column, numFmt] of Object.entries(formats)) sheet.getColumn(Number(column)).numFmt = numFmt;
}

export async function buildWorkbookSkeleton(data: WorkbookData): Promise<WorkbookSkeleton> {
  const { stats, overview } = data;
  const base = overview.organization.base_currency;
  const exp = overview.organization.base_exponent;
  const money = amountFormat(exp, base);
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'WestWallet';
  workbook.created = new Date(`${overview.organization.today}T00:00:00Z`);

  // Transactions: the header and one template row whose cells carry the styles the rows use.
  const transactions = frozenSheet(workbook, 'Transactions', transactionColumns);
  const template = transactions.addRow([
    null,
    new Date(0),
    null,
    0,
    null,
    0,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    0,
    0,
    0,
    0,
  ]);
  template.getCell(2).numFmt = 'yyyy-mm-dd';
  template.getCell(6).numFmt = money;
  for (let e = 0; e <= 4; e++) template.getCell(e === 2 ? 4 : 15 + (e > 2 ? e - 1 : e)).numFmt = amountFormat(e);

  // Summary: expense_stats' month-by-category figures, one row per category, totals last.
  const summary = frozenSheet(workbook, `Summary ${stats.year}`, [
    { header: 'Category', width: 30 },
    { header: 'Kind', width: 10 },
    ...monthNames.map((m) => ({ header: m, width: 12 })),
    { header: 'Total', width: 14 },
  ]);
  for (const c of stats.categories) {
    const expense = c.kind !== 'income';
    const byMonth = expense ? c.expense_by_month_minor : c.income_by_month_minor;
    summary.addRow([
      c.name ?? 'Uncategorized',
      c.kind ?? 'expense',
      ...byMonth.map((m) => cellNumber(m, exp)),
      cellNumber(expense ? c.expense_minor : c.income_minor, exp),
    ]);
  }
  const incomeRow = summary.addRow([
    'Income',
    'total',
    ...stats.months.map((m) => cellNumber(m.income_minor, exp)),
    cellNumber(stats.totals.income_minor, exp),
  ]);
  const expenseRow = summary.addRow([
    'Expenses',
    'total',
    ...stats.months.map((m) => cellNumber(m.expense_minor, exp)),
    cellNumber(stats.totals.expense_minor, exp),
  ]);
  incomeRow.font = { bold: true };
  expenseRow.font = { bold: true };
  for (let c = 3; c <= 15; c++) summary.getColumn(c).numFmt = amountFormat(exp);

  const budgets = frozenSheet(workbook, 'Budgets', [
    { header: 'Category', width: 30 },
    { header: 'Kind', width: 10 },
    { header: 'Monthly budget', width: 16 },
    { header: `Spent ${stats.year}`, width: 16 },
  ]);
  const spentByName = new Map(stats.categories.map((c) => [c.name, c.expense_minor]));
  for (const b of overview.budgets) {
    const leaf = b.name.split(' / ').at(-1) ?? b.name;
    budgets.addRow([
      b.name,
      b.kind,
      cellNumber(b.monthly_budget_minor, exp),
      cellNumber(spentByName.get(leaf) ?? 0, exp),
    ]);
  }
  styleColumns(budgets, { 3: money, 4: money });

  const contracts = frozenSheet(workbook, 'Contracts', [
    { header: 'Reference', width: 12 },
    { header: 'Name', width: 28 },
    { header: 'Vendor', width: 22 },
    { header: 'Amount', width: 14 },
    { header: 'Currency', width: 9 },
    { header: 'Frequency', width: 12 },
    { header: 'Status', width: 12 },
    { header: 'Next payment', width: 13 },
    { header: 'Notice deadline', width: 15 },
    { header: 'Per year', width: 15 },
  ]);
  for (const k of overview.contracts) {
    const row = contracts.addRow([
      k.reference,
      k.name,
      k.vendor,
      cellNumber(k.amount_minor, k.exponent),
      k.currency,
      k.frequency,
      k.status,
      cellDate(k.next_payment_on),
      cellDate(k.notice_deadline_on),
      k.yearly_base_minor === null ? null : cellNumber(k.yearly_base_minor, exp),
    ]);
    row.getCell(4).numFmt = amountFormat(k.exponent);
  }
  styleColumns(contracts, { 8: 'yyyy-mm-dd', 9: 'yyyy-mm-dd', 10: money });

  const costKinds = [...new Set(overview.vehicles.flatMap((v) => v.costs.map((c) => c.kind)))].sort();
  const vehicles = frozenSheet(workbook, 'Vehicles', [
    { header: 'Reference', width: 12 },
    { header: 'Vehicle', width: 26 },
    { header: 'Registration', width: 13 },
    { header: 'Model year', width: 11 },
    { header: 'Fuel', width: 10 },
    ...costKinds.map((k) => ({ header: k, width: 14 })),
    { header: 'Total costs', width: 15 },
  ]);
  for (const v of overview.vehicles) {
    const byKind = new Map(v.costs.map((c) => [c.kind, c.base_minor]));
    vehicles.addRow([
      v.reference,
      v.name,
      v.registration,
      v.model_year,
      v.fuel,
      ...costKinds.map((k) => cellNumber(byKind.get(k) ?? 0, exp)),
      cellNumber(v.total_base_minor, exp),
    ]);
  }
  for (let c = 6; c <= 6 + costKinds.length; c++) vehicles.getColumn(c).numFmt = money;

  const warranties = frozenSheet(workbook, 'Warranties', [
    { header: 'Reference', width: 12 },
    { header: 'Product', width: 30 },
    { header: 'Seller', width: 22 },
    { header: 'Purchased', width: 12 },
    { header: 'Ends', width: 12 },
    { header: 'Price', width: 14 },
    { header: 'Currency', width: 9 },
  ]);
  for (const w of overview.warranties) {
    const row = warranties.addRow([
      w.reference,
      w.product,
      w.seller,
      cellDate(w.purchased_on),
      cellDate(w.ends_on),
      w.price_minor === null || w.exponent === null ? null : cellNumber(w.price_minor, w.exponent),
      w.currency,
    ]);
    row.getCell(6).numFmt = amountFormat(w.exponent ?? 2);
  }
  styleColumns(warranties, { 4: 'yyyy-mm-dd', 5: 'yyyy-mm-dd' });

  const insurances = frozenSheet(workbook, 'Insurances', [
    { header: 'Reference', width: 12 },
    { header: 'Kind', width: 12 },
    { header: 'Name', width: 24 },
    { header: 'Insurer', width: 22 },
    { header: 'Policy number', width: 16 },
    { header: 'Premium', width: 14 },
    { header: 'Frequency', width: 11 },
    { header: 'Per year', width: 14 },
    { header: 'Currency', width: 9 },
    { header: 'Renews', width: 12 },
  ]);
  for (const i of overview.insurances) {
    const row = insurances.addRow([
      i.reference,
      i.kind,
      i.name,
      i.insurer,
      i.policy_number,
      cellNumber(i.premium_minor, i.exponent),
      i.frequency,
      cellNumber(i.annual_premium_minor, i.exponent),
      i.currency,
      cellDate(i.renews_on),
    ]);
    row.getCell(6).numFmt = amountFormat(i.exponent);
    row.getCell(8).numFmt = amountFormat(i.exponent);
  }
  styleColumns(insurances, { 10: 'yyyy-mm-dd' });

  const files = unzipSync(new Uint8Array(await workbook.xlsx.writeBuffer()));
  for (const path of Object.keys(files)) if (path.endsWith('/')) delete files[path];
  const sheetPath = 'xl/worksheets/sheet1.xml';
  const sheet = strFromU8(files[sheetPath]);
  delete files[sheetPath];
  const templateRow = /<row r="2"[^>]*>(.*?)<\/row>/.exec(sheet);
  if (!templateRow) throw new Error('xlsx skeleton: no template row');
  const styleOf = (ref: string): number => {
    const match = new RegExp(`<c r="${ref}" s="(\\d+)"`).exec(templateRow[1]);
    if (!match) throw new Error(`xlsx skeleton: no style on ${ref}`);
    return Number(match[1]);
  };
  const rowsEnd = templateRow.index + templateRow[0].length;
  return {
    files,
    sheetPath,
    // The dimension is optional and would be wrong once rows are added: left out.
    sheetHead: sheet.slice(0, templateRow.index).replace(/<dimension ref="[^"]*"\/>/, ''),
    sheetTail: sheet.slice(rowsEnd),
    styles: {
      date: styleOf('B2'),
      amount: [styleOf('O2'), styleOf('P2'), styleOf('D2'), styleOf('Q2'), styleOf('R2')],
      baseAmount: styleOf('F2'),
    },
  };
}

function escapeXml(text: string): string {
  // Also drops characters XML 1.0 cannot hold (controls other than tab, CR, LF).
  return text
    .replace(/[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

const epochDays = Date.UTC(1899, 11, 30) / 86_400_000;

/** Excel's serial day of a 'YYYY-MM-DD' (the 1900 date system: days since 1899-12-30). */
export function excelSerial(isoDate: string): number {
  const [y, m, d] = isoDate.slice(0, 10).split('-').map(Number);
  return Date.UTC(y, m - 1, d) / 86_400_000 - epochDays;
}

/** Transaction rows as SpreadsheetML, numbered from `firstRow` (the header is row 1). */
export function transactionRowsXml(
  rows: readonly ExportTransaction[],
  firstRow: number,
  styles: TransactionStyles,
): string {
  let xml = '';
  rows.forEach((t, i) => {
    const r = firstRow + i;
    const cells: string[] = [];
    const text = (c: number, value: string | null) => {
      if (value)
        cells.push(
          `<c r="${columnName(c)}${r}" t="inlineStr"><is><t xml:space="preserve">${escapeXml(value)}</t></is></c>`,
        );
    };
    const number = (c: number, value: string | number, style: number) =>
      cells.push(`<c r="${columnName(c)}${r}" s="${style}"><v>${value}</v></c>`);
    text(0, t.reference);
    number(1, excelSerial(t.booked_on), styles.date);
    text(2, t.kind);
    number(3, minorToDecimal(t.amount_minor, t.currency_exponent), styles.amount[t.currency_exponent]);
    text(4, t.currency);
    number(5, minorToDecimal(t.base_amount_minor, t.base_exponent), styles.baseAmount);
    text(6, t.category);
    text(7, t.vendor);
    text(8, t.counterparty);
    text(9, t.description);
    text(10, t.account);
    text(11, t.payment_method);
    text(12, t.tags.join(', '));
    text(
      13,
      t.splits.map((s) => `${s.category} ${minorToDecimal(s.amount_minor, t.currency_exponent)}`).join(' | ') || null,
    );
    xml += `<row r="${r}">${cells.join('')}</row>`;
  });
  return xml;
}
