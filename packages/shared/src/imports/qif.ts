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
 * decided the same way. Encoding: UTF-8 when valid, else Windows-1252. Read in parts that start
 * after a record's `^` (statement-parts.ts), twice: once to settle the dates, once for the entries.
 */
import { cleanText, currencyExponent, decimalToMinor, isoDay, problem } from './bank-values.ts';
import { undeclaredEncoding } from './decode-text.ts';
import type { ParseProblem, ParseResult, StatementEntry } from './statement.ts';
import { lastLineStart, partEnd, type Refusal, readWhole, type StructuredReader } from './statement-parts.ts';

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

/** Where the scan of the file's lines stands: which account and section it is in. */
interface Scan {
  account: string | null;
  accountsSeen: number;
  inAccountBlock: boolean;
  reading: boolean;
  skippingAccount: boolean;
}

/** What the whole file says about its dates and amounts, gathered by the first pass. */
interface Settling {
  records: number;
  monthFirst: boolean;
  dayFirst: boolean;
  ambiguous: number;
  decimalComma: boolean;
}

/**
 * What one part hands the next (JSON). The file is read twice, a part at a time: the first pass
 * settles the date order and decimal mark from every record, the second reads the entries. A
 * part starts at the line after a `^`, so no record is open there.
 */
interface QifCarry {
  encoding: string;
  currency: string;
  exponent: number;
  pass: 'settle' | 'read';
  /** Lines before the part. */
  line: number;
  scan: Scan;
  settling: Settling;
  order: QifDateOrder;
  decimalComma: boolean;
  /** Entries read so far, and the starting balance Quicken writes as a first record. */
  entries: number;
  opening: { minor: number; on: string } | null;
}

export function parseQif(bytes: Uint8Array, options: QifOptions = {}): ParseResult {
  return readWhole(qifReader, bytes, options);
}

const newScan = (): Scan => ({
  account: null,
  accountsSeen: 0,
  inAccountBlock: false,
  reading: false,
  skippingAccount: false,
});

/** QIF in parts, each starting at the line after a record's `^`; read twice (settle, then read). */
export const qifReader: StructuredReader = {
  start(bytes, options) {
    const currency = options.currency ?? 'XXX';
    const exponent = currencyExponent(currency);
    if (exponent === null) return refuse(null, 'IMPORT_CURRENCY_INVALID', `"${currency}" is not an ISO 4217 code`);
    const carry: QifCarry = {
      encoding: undeclaredEncoding(bytes),
      currency,
      exponent,
      pass: 'settle',
      line: 0,
      scan: newScan(),
      settling: { records: 0, monthFirst: false, dayFirst: false, ambiguous: 0, decimalComma: false },
      order: 'MDY',
      decimalComma: false,
      entries: 0,
      opening: null,
    };
    return { offset: 0, carry };
  },

  part(bytes, position, maxBytes, options) {
    const carry = structuredClone(position.carry) as QifCarry;
    const end = partEnd(bytes, position.offset, maxBytes, (window) =>
      lastLineStart(window, carry.encoding, afterRecord),
    );
    const last = end === bytes.length;
    const lines = new TextDecoder(carry.encoding).decode(bytes.subarray(position.offset, end)).split(/\r\n|\r|\n/);
    // A part other than the last ends with a line break: what follows it is the next part's.
    if (!last) lines.pop();
    const entries: StatementEntry[] = [];
    const problems: ParseProblem[] = [];
    const settling = carry.pass === 'settle';
    const scanned = scanLines(lines, carry.line, carry.scan, last, settling ? [] : problems, (record) => {
      if (settling) {
        noteRecord(carry.settling, record);
        return;
      }
      const entry = readRecord(record, carry.order, carry.decimalComma, carry.currency, carry.exponent, problems);
      if (!entry) return;
      // Quicken writes the account's starting balance as a first record paid to itself.
      const category = record.fields.get('L') ?? '';
      if (
        carry.entries === 0 &&
        carry.opening === null &&
        entry.counterparty === 'Opening Balance' &&
        /^\[.*\]$/.test(category)
      ) {
        carry.opening = { minor: entry.amountMinor, on: entry.bookedOn };
        return;
      }
      carry.entries++;
      entries.push(entry);
    });
    if (scanned) return { refusal: scanned };
    carry.line += lines.length;
    if (settling && last) {
      // The whole file is seen: how its dates and amounts read. Then the second pass, from the start.
      if (carry.settling.records === 0) {
        return refuse(null, 'IMPORT_FORMAT_MISMATCH', 'no QIF bank, cash or credit card records');
      }
      const order = options.dateOrder ?? settleDateOrder(carry.settling);
      if (typeof order !== 'string') return { refusal: order };
      Object.assign(carry, {
        pass: 'read',
        line: 0,
        scan: newScan(),
        order,
        decimalComma: carry.settling.decimalComma,
      });
      return { entries, problems, position: { offset: 0, carry }, done: false, head: null };
    }
    return { entries, problems, position: { offset: end, carry }, done: last, head: settling ? null : headOf(carry) };
  },

  finish(position) {
    return { statement: headOf(position.carry as QifCarry), problems: [] };
  },
};

function headOf(carry: QifCarry) {
  return {
    format: 'qif' as const,
    account: carry.scan.account,
    currency: carry.currency,
    openingBalanceMinor: carry.opening?.minor ?? null,
    openingOn: carry.opening?.on ?? null,
    closingBalanceMinor: null,
    closingOn: null,
  };
}

/** A part may start at a line after one that starts with `^`, the end of a record. */
function afterRecord(text: string, _at: number, previous: number): boolean {
  return text[previous] === '^';
}

function refuse(line: number | null, code: string, message: string): Refusal {
  return { refusal: problem(line, code, message) };
}

function amountText(record: QifRecord): string {
  return (record.fields.get('T') ?? record.fields.get('U') ?? '').trim();
}

/**
 * Scans a part's lines (`before` lines precede them) for the records of the read sections, the
 * first account's name kept in `scan`; other accounts are named as problems. Answers the problem
 * that refuses the file, if any: a record not ended by `^`.
 */
function scanLines(
  lines: string[],
  before: number,
  scan: Scan,
  last: boolean,
  problems: ParseProblem[],
  onRecord: (record: QifRecord) => void,
): ParseProblem | null {
  let open: QifRecord | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const lineNo = before + i + 1;
    if (raw.trim() === '') continue;
    if (raw.startsWith('!')) {
      if (open)
        return problem(open.line, 'IMPORT_FILE_TRUNCATED', 'the record is not ended by ^ before the next section');
      const header = raw.trim();
      if (/^!Account/i.test(header)) {
        scan.inAccountBlock = true;
        scan.reading = false;
      } else if (/^!(Option|Clear)/i.test(header)) {
        // Quicken's switches (!Option:AutoSwitch) change nothing for the records.
      } else {
        scan.reading = readSections.test(header) && !scan.skippingAccount;
        scan.inAccountBlock = false;
      }
      continue;
    }
    if (scan.inAccountBlock) {
      if (raw.startsWith('N') && !raw.startsWith('^')) {
        scan.accountsSeen++;
        const name = cleanText(raw.slice(1));
        if (scan.accountsSeen === 1) scan.account = name;
        scan.skippingAccount = scan.accountsSeen > 1 && name !== scan.account;
        if (scan.skippingAccount) {
          problems.push(
            problem(
              lineNo,
              'IMPORT_OTHER_ACCOUNT',
              `records of account ${name} left out: this file is read for account ${scan.account}`,
            ),
          );
        }
      }
      if (raw.startsWith('^')) scan.inAccountBlock = false;
      continue;
    }
    if (!scan.reading) continue;
    if (raw.startsWith('^')) {
      if (open) onRecord(open);
      open = null;
      continue;
    }
    open ??= { line: lineNo, fields: new Map() };
    const code = raw[0] ?? '';
    // Split lines (S, E, $) repeat; the record's total (T) already holds their sum.
    if (!open.fields.has(code)) open.fields.set(code, raw.slice(1));
  }
  // A part ends after a `^`, so a record still open is one the file ends inside.
  if (open && last) {
    return problem(
      open.line,
      'IMPORT_FILE_TRUNCATED',
      'the file ends inside a record (no closing ^): it was cut short',
    );
  }
  return null;
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

/** What one record says about the file's date order and decimal mark. */
function noteRecord(settling: Settling, record: QifRecord): void {
  settling.records++;
  const amount = amountText(record);
  if (/\d,\d{1,2}$/.test(amount) && !/\./.test(amount)) settling.decimalComma = true;
  const parts = dateParts(record.fields.get('D') ?? '');
  if (!parts || parts.iso) return;
  if (parts.first > 12) settling.dayFirst = true;
  else if (parts.second > 12) settling.monthFirst = true;
  else if (parts.first !== parts.second) settling.ambiguous++;
}

/** M/D/Y or D/M/Y from every date in the file; the problem that refuses it when the file does not say. */
function settleDateOrder(settling: Settling): QifDateOrder | ParseProblem {
  const { monthFirst, dayFirst, ambiguous } = settling;
  if (monthFirst && dayFirst) {
    return problem(
      null,
      'IMPORT_DATE_AMBIGUOUS',
      'some dates are month first and some day first: the file mixes orders',
    );
  }
  if (dayFirst) return 'DMY';
  if (monthFirst || ambiguous === 0) return 'MDY';
  return problem(
    null,
    'IMPORT_DATE_AMBIGUOUS',
    `${ambiguous} dates read both as month/day and day/month: choose the order (MDY or DMY)`,
  );
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
