import { CsvError, parse } from 'csv-parse/sync';
import { detectDateFormat, detectDelimiter, detectEncoding, detectNumberMarks, findLayout } from './csv-detect.ts';
import { type CsvMapping, type CsvMappingOverride, csvMappingSchema } from './csv-mapping.ts';
import { csvPreset, presetColumns } from './csv-presets.ts';
import { parseAmount, parseDate } from './csv-values.ts';
import { importMaxProblems } from './limits.ts';
import type { ParseProblem, ParseResult, StatementEntry } from './statement.ts';

export interface CsvOptions {
  /** The account's currency: a CSV rarely names one, and its amounts are in it unless a column says otherwise. */
  currency: string;
  /** Decimals of `currency` (ISO 4217 minor units: SEK 2, JPY 0). */
  currencyExponent: number;
  /** What the member set (or saved for the account); the rest is detected. */
  mapping?: CsvMappingOverride;
  /** A preset id (csv-presets.ts) to read the file with instead of the detected one. */
  preset?: string;
}

/** How the file was read, for the preview (and for the member to correct and save). */
export interface CsvLayout {
  mapping: CsvMapping;
  /** The bank preset that recognised the header, if one did. */
  preset: string | null;
  /** The header row's cells, if the file has one. */
  header: string[] | null;
}

export type CsvParseResult = ParseResult & { csv: CsvLayout | null };

/**
 * Where a reader stands in the file: `offset` is the byte after a record's end, `line` the lines
 * before it, `skip` the records of the head (preamble, header) still to pass over. JSON, so a
 * job can keep it in its checkpoint and read the file a part per step.
 */
export interface CsvPosition {
  offset: number;
  line: number;
  skip: number;
}

/**
 * What reading entries carries from one part of the file to the next (JSON, as CsvPosition):
 * which lines since the last entry read as no date (problems if an entry follows, the bank's
 * summary if none does), and what the statement's currency and balances are made of.
 */
export interface CsvCarry {
  entries: number;
  /** The undated lines since the last entry, the first `importMaxProblems` of them. */
  unreadable: ParseProblem[];
  unreadableCount: number;
  /** Rows not booked yet ("Reserverat"), left out. */
  pendingLines: number;
  /** Entries per currency, in the order first seen. */
  currencies: Record<string, number>;
  /** Entries with a running balance; the balances count only when every entry has one. */
  balances: number;
  first: BalancePoint | null;
  last: BalancePoint | null;
}

interface BalancePoint {
  bookedOn: string;
  amount: number;
  balance: number | null;
}

/** Entries read from one part of a CSV, with that part's problems in line order. */
export interface CsvPart {
  entries: StatementEntry[];
  problems: ParseProblem[];
  /** Problems in the part, listed or not (an undated run longer than `importMaxProblems` is counted only). */
  problemCount: number;
  position: CsvPosition;
  /** The part ended with the file. */
  done: boolean;
}

export type CsvStart = { ok: true; layout: CsvLayout; position: CsvPosition } | { ok: false; refusal: CsvParseResult };

/** What banks write in the date column of a row that is not booked yet. */
const pendingMarkers = new Set(['reserverat', 'reserveret', 'reservert', 'varaus', 'pending', 'reserved', 'väntande']);

/** The first part of a file the layout is detected from; doubled until it holds enough records. */
const headBytes = 64 * 1024;
/** Lines, records and values detection reads (detectDelimiter's 40 lines, findLayout's 30 records, 500 samples). */
const headLines = 40;
const headRecords = 30;
const headSamples = 500;

const refuse = (code: string, message: string, line: number | null = null): CsvParseResult => ({
  statement: null,
  problems: [{ line, code, message }],
  csv: null,
});

/**
 * Reads a bank's CSV export into a statement. A file that cannot be read as a whole (not text,
 * a broken quote, no columns to map) is refused with one problem; a single line that cannot be
 * read becomes a problem with its line number and the rest is read. The same as
 * `readCsvLayout`, then `readCsvPart` to the end and `finishCsv`, which a job runs a part a step.
 */
export function parseCsv(bytes: Uint8Array, options: CsvOptions): CsvParseResult {
  const start = readCsvLayout(bytes, options);
  if (!start.ok) return start.refusal;
  const carry = newCsvCarry();
  const part = readCsvPart(bytes, start.layout.mapping, start.position, Number.POSITIVE_INFINITY, options, carry);
  if ('refusal' in part) return part.refusal;
  const ends = finishCsv(carry, part.problems, start.layout);
  if (!ends.statement) return ends;
  return { ...ends, statement: { ...ends.statement, entries: part.entries } };
}

/**
 * How the file is to be read: the encoding (of the whole file), then the delimiter, header,
 * date format and number marks from its head (detection reads the first 40 lines, 30 records
 * and 500 values, so a head that holds them gives what the whole file would), with what the
 * member set or saved, and where the entries start.
 */
export function readCsvLayout(bytes: Uint8Array, options: CsvOptions): CsvStart {
  const failed = (refusal: CsvParseResult): CsvStart => ({ ok: false, refusal });
  const given = options.mapping ?? {};
  const preset = options.preset ? csvPreset(options.preset) : undefined;
  if (options.preset && !preset) return failed(refuse('IMPORT_CSV_UNMAPPABLE', `No CSV preset "${options.preset}".`));

  if (bytes.subarray(0, 8192).includes(0)) {
    return failed(
      refuse('IMPORT_FILE_UNREADABLE', 'This is not a text file (it holds binary data): export the statement as CSV.'),
    );
  }
  const encoding = given.encoding ?? detectEncoding(bytes);
  const newline = newlineOf(bytes);

  for (let window = headBytes; ; window *= 2) {
    const head = parseRecords(bytes, encoding, newline, { offset: 0, line: 0, skip: 0 }, window, given.delimiter);
    const whole = head.ok ? head.end === bytes.length : true;
    if (!head.ok) return failed(head.refusal);
    if (whole && head.text.trim() === '') return failed(refuse('IMPORT_FILE_EMPTY', 'The file holds no lines.'));
    const delimiter = given.delimiter ?? preset?.delimiter ?? detectDelimiter(head.text);
    if (!whole && nonEmptyLines(head.text) < headLines) continue;
    if (!delimiter) {
      return failed(
        refuse('IMPORT_CSV_UNMAPPABLE', 'No delimiter splits the lines into columns: this is not a CSV statement.'),
      );
    }
    const parsed = parseRecords(bytes, encoding, newline, { offset: 0, line: 0, skip: 0 }, window, delimiter);
    if (!parsed.ok) return failed(parsed.refusal);
    const records = parsed.rows.map((row) => row.record);
    if (!whole && records.length < headRecords) continue;

    const found =
      given.columns?.bookedOn !== undefined && given.skipRecords !== undefined
        ? null
        : (() => {
            if (!preset) return findLayout(records);
            const at = records.slice(0, headRecords).findIndex((record) => presetColumns(preset, record) !== null);
            if (at < 0) return null;
            return {
              columns: presetColumns(preset, records[at]) as CsvMapping['columns'],
              skipRecords: at + 1,
              preset,
              header: records[at],
            };
          })();
    const columns = { ...(found?.columns ?? {}), ...given.columns };
    const skipRecords = given.skipRecords ?? found?.skipRecords ?? 0;
    if (columns.bookedOn === undefined) {
      return failed(
        refuse(
          'IMPORT_CSV_UNMAPPABLE',
          'No column is recognisably the booking date and the amount: map the columns yourself.',
        ),
      );
    }
    const body = records.slice(skipRecords);
    const cell = (record: string[], at: number | null | undefined) => (at == null ? '' : (record[at] ?? ''));
    const dateSamples = body.map((record) => cell(record, columns.bookedOn));
    const amountSamples = body.flatMap((record) => [
      cell(record, columns.amount),
      cell(record, columns.debit),
      cell(record, columns.credit),
    ]);
    const enough =
      dateSamples.filter((s) => /\d/.test(s)).length >= headSamples &&
      amountSamples.filter((s) => s.trim() !== '').length >= headSamples;
    if (!whole && !enough) continue;

    const usedPreset = found?.preset ?? null;
    const dateFormat = given.dateFormat ?? detectDateFormat(dateSamples, usedPreset?.dateFormat);
    if (!dateFormat) return failed(refuse('IMPORT_CSV_UNMAPPABLE', 'No date format reads the booking dates.'));
    const marks =
      given.decimalMark && given.thousandsSeparator !== undefined
        ? { decimalMark: given.decimalMark, thousandsSeparator: given.thousandsSeparator }
        : detectNumberMarks(
            amountSamples,
            options.currencyExponent,
            delimiter,
            given.decimalMark
              ? { decimalMark: given.decimalMark, thousandsSeparator: '' }
              : usedPreset
                ? { decimalMark: usedPreset.decimalMark, thousandsSeparator: usedPreset.thousandsSeparator }
                : undefined,
          );

    const checked = csvMappingSchema.safeParse({ encoding, delimiter, ...marks, dateFormat, skipRecords, columns });
    if (!checked.success) {
      return failed(
        refuse('IMPORT_CSV_UNMAPPABLE', `The column mapping is incomplete: ${checked.error.issues[0]?.message}.`),
      );
    }
    return {
      ok: true,
      layout: { mapping: checked.data, preset: usedPreset?.id ?? null, header: found?.header ?? null },
      position: { offset: 0, line: 0, skip: skipRecords },
    };
  }
}

export function newCsvCarry(): CsvCarry {
  return {
    entries: 0,
    unreadable: [],
    unreadableCount: 0,
    pendingLines: 0,
    currencies: {},
    balances: 0,
    first: null,
    last: null,
  };
}

/**
 * Reads the entries of the records from `position` on, about `maxBytes` of the file (to a
 * record's end; more when one record is longer), updating `carry`. A part that cannot be read
 * (a broken quote, bytes that are not the encoding) refuses the file as parseCsv would.
 */
export function readCsvPart(
  bytes: Uint8Array,
  mapping: CsvMapping,
  position: CsvPosition,
  maxBytes: number,
  options: CsvOptions,
  carry: CsvCarry,
): CsvPart | { refusal: CsvParseResult } {
  const parsed = parseRecords(bytes, mapping.encoding, newlineOf(bytes), position, maxBytes, mapping.delimiter);
  if (!parsed.ok) return { refusal: parsed.refusal };
  const skipped = Math.min(position.skip, parsed.rows.length);
  const read = readEntries(parsed.rows.slice(skipped), mapping, options, carry);
  return {
    ...read,
    position: { offset: parsed.end, line: parsed.endLine, skip: position.skip - skipped },
    done: parsed.end === bytes.length,
  };
}

type Records =
  | { ok: true; rows: { record: string[]; line: number }[]; text: string; end: number; endLine: number }
  | { ok: false; refusal: CsvParseResult };

/**
 * The records from `position` to a record's end about `maxBytes` on (the file's end if nearer),
 * with their lines in the file. Without a delimiter, only the text (for detecting one).
 */
function parseRecords(
  bytes: Uint8Array,
  encoding: CsvMapping['encoding'],
  newline: number,
  position: CsvPosition,
  maxBytes: number,
  delimiter: string | undefined | null,
): Records {
  for (let window = maxBytes; ; window *= 2) {
    const end = recordEnd(bytes, position.offset, window, newline);
    const part = bytes.subarray(position.offset, end);
    let text: string;
    try {
      text = new TextDecoder(encoding, { fatal: encoding === 'utf-8' }).decode(part);
    } catch {
      const line = firstInvalidUtf8Line(part);
      return {
        ok: false,
        refusal: refuse(
          'IMPORT_ENCODING_INVALID',
          'The file is not valid UTF-8: choose its encoding (Windows-1252 or ISO-8859-1).',
          line === null ? null : position.line + line,
        ),
      };
    }
    const endLine = position.line + count(part, newline);
    if (!delimiter) return { ok: true, rows: [], text, end, endLine };
    try {
      const parsed = parse(text, {
        delimiter,
        relax_column_count: true,
        skip_empty_lines: true,
        trim: true,
        info: true,
        raw: true,
      }) as unknown as { record: string[]; info: { lines: number }; raw: string }[];
      const rows = parsed.map(({ record, info, raw }) => ({
        record,
        // info.lines is where the record ends; a quoted field may span lines before it.
        line: position.line + info.lines - (raw.replace(/^[\r\n]+|[\r\n]+$/g, '').match(/\n/g)?.length ?? 0),
      }));
      return { ok: true, rows, text, end, endLine };
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      const truncated = error.code === 'CSV_QUOTE_NOT_CLOSED';
      // Cut inside a quoted field the quote count did not see (a misplaced quote before it): read on.
      if (truncated && end < bytes.length) continue;
      const line = (error as CsvError & { lines?: number }).lines;
      return {
        ok: false,
        refusal: refuse(
          truncated ? 'IMPORT_FILE_TRUNCATED' : 'IMPORT_FILE_MALFORMED',
          truncated
            ? 'The file ends inside a quoted field: it is cut short. Download it again.'
            : `A quote is misplaced (${error.code}): the file is not valid CSV.`,
          line === undefined ? null : position.line + line,
        ),
      };
    }
  }
}

/**
 * Where a part of about `maxBytes` from `offset` ends: after the last line break outside quotes
 * (a quote toggles; an escaped "" toggles twice), or the file's end if nearer or if the part
 * holds no such break. Quote and line break are ASCII bytes in every encoding a CSV is read in.
 */
function recordEnd(bytes: Uint8Array, offset: number, maxBytes: number, newline: number): number {
  if (offset + maxBytes >= bytes.length) return bytes.length;
  const limit = offset + maxBytes;
  let quoted = false;
  let end = -1;
  for (let i = offset; i < limit; i++) {
    const byte = bytes[i];
    if (byte === 0x22) quoted = !quoted;
    else if (byte === newline && !quoted) end = i + 1;
  }
  return end < 0 ? bytes.length : end;
}

/** The byte lines are counted by: `\n`, or `\r` in a file without any (old Mac exports). */
function newlineOf(bytes: Uint8Array): number {
  return bytes.includes(0x0a) || !bytes.includes(0x0d) ? 0x0a : 0x0d;
}

function count(bytes: Uint8Array, byte: number): number {
  let n = 0;
  for (let i = bytes.indexOf(byte); i >= 0; i = bytes.indexOf(byte, i + 1)) n++;
  return n;
}

function nonEmptyLines(text: string): number {
  return text.split(/\r?\n/).filter((line) => line.trim() !== '').length;
}

function readEntries(
  body: { record: string[]; line: number }[],
  mapping: CsvMapping,
  options: CsvOptions,
  carry: CsvCarry,
): Omit<CsvPart, 'position' | 'done'> {
  const { columns } = mapping;
  const widest = Math.max(...Object.values(columns).filter((c): c is number => c !== null));
  const cell = (record: string[], at: number | null) => (at === null ? '' : (record[at] ?? '').trim());
  const amountOf = (text: string) => parseAmount(text, mapping, options.currencyExponent);

  const entries: StatementEntry[] = [];
  const problems: ParseProblem[] = [];
  let problemCount = 0;
  const problem = (p: ParseProblem) => {
    problems.push(p);
    problemCount++;
  };

  for (const { record, line } of body) {
    if (record.every((c) => c.trim() === '')) continue;
    const dateText = cell(record, columns.bookedOn);
    const bookedOn = parseDate(dateText, mapping.dateFormat);
    if (!bookedOn) {
      if (pendingMarkers.has(dateText.toLowerCase())) {
        carry.pendingLines++;
        continue;
      }
      // Known only at the end: a run of such lines after the last entry is the bank's summary.
      if (carry.unreadable.length < importMaxProblems) {
        carry.unreadable.push({
          line,
          code: 'IMPORT_DATE_INVALID',
          message: `"${dateText.slice(0, 40)}" is not a date in ${mapping.dateFormat}.`,
        });
      }
      carry.unreadableCount++;
      continue;
    }
    problems.push(...carry.unreadable);
    problemCount += carry.unreadableCount;
    carry.unreadable = [];
    carry.unreadableCount = 0;
    if (record.length <= widest) {
      problem({
        line,
        code: 'IMPORT_ENTRY_INVALID',
        message: `The line has ${record.length} fields; the mapping reads column ${widest + 1}.`,
      });
      continue;
    }
    let amount: number | null;
    if (columns.amount !== null) {
      amount = amountOf(cell(record, columns.amount));
    } else {
      const out = cell(record, columns.debit);
      const into = cell(record, columns.credit);
      const outMinor = out === '' ? 0 : amountOf(out);
      const inMinor = into === '' ? 0 : amountOf(into);
      amount =
        out === '' && into === ''
          ? null
          : outMinor === null || inMinor === null
            ? null
            : Math.abs(inMinor) - Math.abs(outMinor);
    }
    if (amount === null) {
      problem({
        line,
        code: 'IMPORT_AMOUNT_INVALID',
        message: `No amount in ${options.currencyExponent}-decimal ${options.currency} with "${mapping.decimalMark}" as decimal mark.`,
      });
      continue;
    }
    if (amount === 0) {
      problem({ line, code: 'IMPORT_AMOUNT_ZERO', message: 'The line moves no money.' });
      continue;
    }
    const valueText = cell(record, columns.valueOn);
    const currency = cell(record, columns.currency).toUpperCase() || options.currency;
    carry.currencies[currency] = (carry.currencies[currency] ?? 0) + 1;
    const balanceText = cell(record, columns.balance);
    const balance = balanceText === '' ? null : amountOf(balanceText);
    if (balance !== null) carry.balances++;
    const point = { bookedOn, amount, balance };
    carry.first ??= point;
    carry.last = point;
    carry.entries++;
    entries.push({
      line,
      bookedOn,
      valueOn: valueText === '' ? null : parseDate(valueText, mapping.dateFormat),
      amountMinor: amount,
      currency,
      counterparty: cell(record, columns.counterparty).slice(0, 200) || null,
      counterpartyAccount: null,
      text: cell(record, columns.text).slice(0, 500) || null,
      bankReference: cell(record, columns.reference).slice(0, 200) || null,
    });
  }
  return { entries, problems, problemCount };
}

/**
 * The statement around the entries once the file is read: its currency (what most entries say,
 * the account's when no column says) and balances, or the refusal of a file without entries
 * (with the problems of its lines, `problems`, when it had some). The undated lines after the
 * last entry are the bank's summary, left out.
 */
export function finishCsv(carry: CsvCarry, problems: ParseProblem[], layout: CsvLayout): CsvParseResult {
  if (carry.entries === 0) {
    return {
      statement: null,
      problems: problems.length
        ? [
            {
              line: null,
              code: 'IMPORT_CSV_UNMAPPABLE',
              message: 'No line could be read as an entry with this mapping.',
            },
            ...problems,
          ]
        : [{ line: null, code: 'IMPORT_FILE_EMPTY', message: 'The file holds no entries.' }],
      csv: layout,
    };
  }
  const currency = Object.entries(carry.currencies).sort((a, b) => b[1] - a[1])[0][0];
  return {
    statement: { format: 'csv', account: null, currency, ...balanceEnds(carry), entries: [] },
    problems,
    csv: layout,
  };
}

/**
 * Opening and closing balances from a running-balance column: banks list newest first or oldest
 * first, so the file's order is read from its dates (equal first and last dates: as written).
 */
function balanceEnds(carry: CsvCarry): {
  openingBalanceMinor: number | null;
  openingOn: string | null;
  closingBalanceMinor: number | null;
  closingOn: string | null;
} {
  const { first, last } = carry;
  if (carry.balances !== carry.entries || !first || !last) {
    return { openingBalanceMinor: null, openingOn: null, closingBalanceMinor: null, closingOn: null };
  }
  const newestFirst = first.bookedOn > last.bookedOn;
  const oldest = newestFirst ? last : first;
  const newest = newestFirst ? first : last;
  return {
    openingBalanceMinor: (oldest.balance as number) - oldest.amount,
    openingOn: oldest.bookedOn,
    closingBalanceMinor: newest.balance,
    closingOn: newest.bookedOn,
  };
}

/** The line of the first byte sequence that is not UTF-8, for the error. */
function firstInvalidUtf8Line(bytes: Uint8Array): number | null {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      try {
        decoder.decode(bytes.subarray(start, i));
      } catch {
        return line;
      }
      line++;
      start = i + 1;
    }
  }
  return null;
}
