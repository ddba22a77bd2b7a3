import { localeFormat } from './locale.ts';
import { formatMinor } from './money.ts';
import type { ExportTransaction } from './transaction-row.ts';

/** How a CSV export is written (the job's parameters). */
export interface CsvOptions {
  /** The organization's locale: 'sv', 'nb', 'da', 'fi', 'de' give ';' and ','; others ',' and '.'. */
  locale: string;
  /** A UTF-8 byte order mark first, so Excel reads the file as UTF-8. */
  bom: boolean;
}

export const csvColumns = [
  'Reference',
  'Date',
  'Kind',
  'Amount',
  'Currency',
  'Base amount',
  'Base currency',
  'Exchange rate',
  'Account',
  'To account',
  'Category',
  'Vendor',
  'Counterparty',
  'Description',
  'Notes',
  'Payment method',
  'Tags',
  'Split parts',
] as const;

/** RFC 4180: a field with the delimiter, a quote, CR or LF is quoted, its quotes doubled. */
export function csvField(value: string, delimiter: string): string {
  return value.includes(delimiter) || /["\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One record, CRLF-terminated (RFC 4180). */
export function csvRecord(fields: readonly string[], delimiter: string): string {
  return `${fields.map((f) => csvField(f, delimiter)).join(delimiter)}\r\n`;
}

/** The file's start: the BOM if asked for, then the header record. */
export function csvHeader(options: CsvOptions): string {
  return (options.bom ? '\ufeff' : '') + csvRecord(csvColumns, localeFormat(options.locale).delimiter);
}

/** A transaction as CSV fields; amounts in major units with the locale's decimal mark, no grouping. */
export function transactionFields(t: ExportTransaction, locale: string): string[] {
  const { decimalMark } = localeFormat(locale);
  const money = { decimalMark, groupSeparator: '' };
  const rate = t.fx_rate === null ? '' : String(t.fx_rate).replace('.', decimalMark);
  return [
    t.reference,
    t.booked_on,
    t.kind,
    formatMinor(t.amount_minor, t.currency_exponent, money),
    t.currency,
    formatMinor(t.base_amount_minor, t.base_exponent, money),
    t.base_currency,
    rate,
    t.account ?? '',
    t.to_account ?? '',
    t.category ?? '',
    t.vendor ?? '',
    t.counterparty ?? '',
    t.description ?? '',
    t.notes ?? '',
    t.payment_method ?? '',
    t.tags.join(', '),
    // Parts in the transaction's currency: "Groceries 120,00 | Household 30,00".
    t.splits
      .map(
        (s) =>
          `${s.category} ${formatMinor(s.amount_minor, t.currency_exponent, money)}${s.note ? ` (${s.note})` : ''}`,
      )
      .join(' | '),
  ];
}

/** A page of transactions as CSV records. */
export function transactionRecords(rows: readonly ExportTransaction[], options: CsvOptions): string {
  const { delimiter } = localeFormat(options.locale);
  let out = '';
  for (const row of rows) out += csvRecord(transactionFields(row, options.locale), delimiter);
  return out;
}
