/**
 * QIF (Quicken Interchange Format) bank, cash and credit card sections into one Statement.
 * A record is lines of a one-letter code and a value, ended by `^`: D date, T (or U) amount,
 * P payee, M memo, N number, L category, A address, S/E/$ splits (the total T stands for them),
 * C cleared. `!Account` blocks name the account (N); `!Type:Bank`, `Cash`, `CCard`, `Oth A`,
 * `Oth L` sections are read, others (investments, categories, memorized) are passed over.
 * QIF has no currency: the caller passes the account's (`XXX`, no currency, if it does not).
 * Dates come as M/D/Y or D/M/Y with `/`, `-` or `.`, two-digit years after `'` meaning 20YY
 * (Quicken's own), or as ISO Y-M-D. The order is decided from the whole file: a day over 12 in
 * either place settles it; a file where every date reads both ways is refused with
 * IMPORT_DATE_AMBIGUOUS unless the caller names the order. Amounts use `.` or `,` as decimal mark,
 * decided the same way. Encoding: UTF-8 when valid, else Windows-1252.
 */
import { cleanText, currencyExponent, decimalToMinor, isoDay, problem } from './bank-values.ts';
import { decodeUndeclared } from './decode-text.ts';
import type { ParseProblem, ParseResult, StatementEntry } from './statement.ts';

export type QifDateOrder = 'MDY' | 'DMY';

export interface QifOptions {
  /** The account's currency; QIF files carry none. */
  currency?: string;
  /** How to read dates that could be either; only needed when the file does not settle it. */
  dateOrder?: QifDateOrder;
}

interface QifRecord {
  line: number;
  fields: Map<string, string>;
}

interface DateParts {
  first: number;
  second: number;
  year: number;
  iso: boolean;
}

const readSections = /^!Type:(Bank|Cash|CCard|Oth A|Oth L)\s*$/i;

export function parseQif(bytes: Uint8Array, options: QifOptions = {}): ParseResult {
  const currency = options.currency ?? 'XXX';
  const exponent = currencyExponent(currency);
  if (exponent === null) {
    return {
      statement: null,
      problems: [problem(null, 'IMPORT_CURRENCY_INVALID', `"${currency}" is not an ISO 4217 code`)],
    };
  }
  const problems: ParseProblem[] = [];
  const scan = scanRecords(decodeUndeclared(bytes), problems);
  if (scan === null) return { statement: null, problems };
  if (scan.records.length === 0) {
    return {
      statement: null,
      problems: [problem(null, 'IMPORT_FORMAT_MISMATCH', 'no QIF bank, cash or credit card records')],
    };
  }

  const order = options.dateOrder ?? settleDateOrder(scan.records, problems);
  if (order === null) return { statement: null, problems };
  const decimalComma = scan.records.some((r) => /\d,\d{1,2}$/.test(amountText(r)) && !/\./.test(amountText(r)));

  let openingBalanceMinor: number | null = null;
  let openingOn: string | null = null;
  const entries: StatementEntry[] = [];
  for (const record of scan.records) {
    const entry = readRecord(record, order, decimalComma, currency, exponent, problems);
    if (!entry) continue;
    // Quicken writes the account's starting balance as a first record paid to itself.
    const category = record.fields.get('L') ?? '';
    if (
      entries.length === 0 &&
      openingOn === null &&
      entry.counterparty === 'Opening Balance' &&
      /^\[.*\]$/.test(category)
    ) {
      openingBalanceMinor = entry.amountMinor;
      openingOn = entry.bookedOn;
      continue;
    }
    entries.push(entry);
  }
  return {
    statement: {
      format: 'qif',
      account: scan.account,
      currency,
      openingBalanceMinor,
      openingOn,
      closingBalanceMinor: null,
      closingOn: null,
      entries,
    },
    problems,
  };
}

function amountText(record: QifRecord): string {
  return (record.fields.get('T') ?? record.fields.get('U') ?? '').trim();
}

/** Records of the read sections, with the first account's name; other accounts are named as problems. */
function scanRecords(text: string, problems: ParseProblem[]) {
  const lines = text.split(/\r\n|\r|\n/);
  const records: QifRecord[] = [];
  let account: string | null = null;
  let accountsSeen = 0;
  let inAccountBlock = false;
  let reading = false;
  let skippingAccount = false;
  let open: QifRecord | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const lineNo = i + 1;
    if (raw.trim() === '') continue;
    if (raw.startsWith('!')) {
      if (open) {
        problems.push(
          problem(open.line, 'IMPORT_FILE_TRUNCATED', 'the record is not ended by ^ before the next section'),
        );
        return null;
      }
      const header = raw.trim();
      if (/^!Account/i.test(header)) {
        inAccountBlock = true;
        reading = false;
      } else if (/^!(Option|Clear)/i.test(header)) {
        // Quicken's switches (!Option:AutoSwitch) change nothing for the records.
      } else {
        reading = readSections.test(header) && !skippingAccount;
        inAccountBlock = false;
      }
      continue;
    }
    if (inAccountBlock) {
      if (raw.startsWith('N') && !raw.startsWith('^')) {
        accountsSeen++;
        const name = cleanText(raw.slice(1));
        if (accountsSeen === 1) account = name;
        skippingAccount = accountsSeen > 1 && name !== account;
        if (skippingAccount) {
          problems.push(
            problem(
              lineNo,
              'IMPORT_OTHER_ACCOUNT',
              `records of account ${name} left out: this file is read for account ${account}`,
            ),
          );
        }
      }
      if (raw.startsWith('^')) inAccountBlock = false;
      continue;
    }
    if (!reading) continue;
    if (raw.startsWith('^')) {
      if (open) records.push(open);
      open = null;
      continue;
    }
    open ??= { line: lineNo, fields: new Map() };
    const code = raw[0] ?? '';
    // Split lines (S, E, $) repeat; the record's total (T) already holds their sum.
    if (!open.fields.has(code)) open.fields.set(code, raw.slice(1));
  }
  if (open) {
    problems.push(
      problem(open.line, 'IMPORT_FILE_TRUNCATED', 'the file ends inside a record (no closing ^): it was cut short'),
    );
    return null;
  }
  return { records, account };
}

function dateParts(text: string): DateParts | null {
  const value = text.trim().replace(/\s+/g, '');
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  if (iso) return { year: Number(iso[1]), first: Number(iso[2]), second: Number(iso[3]), iso: true };
  const match = /^(\d{1,2})[/.-](\d{1,2})(?:([/.-])(\d{4}|\d{2})|'(\d{1,2}))$/.exec(value);
  if (!match) return null;
  let year: number;
  if (match[5] !== undefined) year = 2000 + Number(match[5]);
  else if ((match[4] ?? '').length === 4) year = Number(match[4]);
  else year = 1900 + Number(match[4]); // Quicken writes years before 2000 with a slash, after with '
  return { first: Number(match[1]), second: Number(match[2]), year, iso: false };
}

/** M/D/Y or D/M/Y from every date in the file; null (with a problem) when the file does not say. */
function settleDateOrder(records: QifRecord[], problems: ParseProblem[]): QifDateOrder | null {
  let monthFirst = false;
  let dayFirst = false;
  let ambiguous = 0;
  for (const record of records) {
    const parts = dateParts(record.fields.get('D') ?? '');
    if (!parts || parts.iso) continue;
    if (parts.first > 12) dayFirst = true;
    else if (parts.second > 12) monthFirst = true;
    else if (parts.first !== parts.second) ambiguous++;
  }
  if (monthFirst && dayFirst) {
    problems.push(
      problem(null, 'IMPORT_DATE_AMBIGUOUS', 'some dates are month first and some day first: the file mixes orders'),
    );
    return null;
  }
  if (dayFirst) return 'DMY';
  if (monthFirst || ambiguous === 0) return 'MDY';
  problems.push(
    problem(
      null,
      'IMPORT_DATE_AMBIGUOUS',
      `${ambiguous} dates read both as month/day and day/month: choose the order (MDY or DMY)`,
    ),
  );
  return null;
}

function readRecord(
  record: QifRecord,
  order: QifDateOrder,
  decimalComma: boolean,
  currency: string,
  exponent: number,
  problems: ParseProblem[],
): StatementEntry | null {
  const dateText = record.fields.get('D');
  const parts = dateParts(dateText ?? '');
  const [month, day] = parts?.iso || order === 'MDY' ? [parts?.first, parts?.second] : [parts?.second, parts?.first];
  const bookedOn = parts ? isoDay(parts.year, month ?? 0, day ?? 0) : null;
  if (bookedOn === null) {
    const code = dateText === undefined ? 'IMPORT_ENTRY_INVALID' : 'IMPORT_DATE_INVALID';
    problems.push(problem(record.line, code, `D "${dateText ?? ''}" is not a date`));
    return null;
  }
  const raw = amountText(record);
  // Grouping is whichever mark is not the decimal one: 1,234.56 or 1.234,56.
  const plain = decimalComma ? raw.replace(/\./g, '').replace(',', '.') : raw.replace(/,/g, '');
  const amountMinor = raw === '' ? null : decimalToMinor(plain, exponent);
  if (amountMinor === null) {
    const code = raw === '' ? 'IMPORT_ENTRY_INVALID' : 'IMPORT_AMOUNT_INVALID';
    problems.push(problem(record.line, code, `T "${raw}" is not an amount`));
    return null;
  }
  return {
    line: record.line,
    bookedOn,
    valueOn: null,
    amountMinor,
    currency,
    counterparty: cleanText(record.fields.get('P')),
    counterpartyAccount: null,
    text: cleanText(record.fields.get('M')),
    bankReference: null,
  };
}
