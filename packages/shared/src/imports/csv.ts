import { CsvError, parse } from 'csv-parse/sync';
import { detectDateFormat, detectDelimiter, detectEncoding, detectNumberMarks, findLayout } from './csv-detect.ts';
import { type CsvMapping, type CsvMappingOverride, csvMappingSchema } from './csv-mapping.ts';
import { csvPreset, presetColumns } from './csv-presets.ts';
import { parseAmount, parseDate } from './csv-values.ts';
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
  /** Lines after the last entry that are not entries (a bank's totals), left out. */
  summaryLines: number[];
  /** Rows a bank lists before they are booked ("Reserverat"), left out. */
  pendingLines: number[];
}

export type CsvParseResult = ParseResult & { csv: CsvLayout | null };

/** What banks write in the date column of a row that is not booked yet. */
const pendingMarkers = new Set(['reserverat', 'reserveret', 'reservert', 'varaus', 'pending', 'reserved', 'väntande']);

const refuse = (code: string, message: string, line: number | null = null): CsvParseResult => ({
  statement: null,
  problems: [{ line, code, message }],
  csv: null,
});

/**
 * Reads a bank's CSV export into a statement. A file that cannot be read as a whole (not text,
 * a broken quote, no columns to map) is refused with one problem; a single line that cannot be
 * read becomes a problem with its line number and the rest is read.
 */
export function parseCsv(bytes: Uint8Array, options: CsvOptions): CsvParseResult {
  const given = options.mapping ?? {};
  const preset = options.preset ? csvPreset(options.preset) : undefined;
  if (options.preset && !preset) return refuse('IMPORT_CSV_UNMAPPABLE', `No CSV preset "${options.preset}".`);

  if (bytes.subarray(0, 8192).includes(0)) {
    return refuse(
      'IMPORT_FILE_UNREADABLE',
      'This is not a text file (it holds binary data): export the statement as CSV.',
    );
  }
  const encoding = given.encoding ?? detectEncoding(bytes);
  let text: string;
  try {
    text = new TextDecoder(encoding, { fatal: encoding === 'utf-8' }).decode(bytes);
  } catch {
    return refuse(
      'IMPORT_ENCODING_INVALID',
      'The file is not valid UTF-8: choose its encoding (Windows-1252 or ISO-8859-1).',
      firstInvalidUtf8Line(bytes),
    );
  }
  if (text.trim() === '') return refuse('IMPORT_FILE_EMPTY', 'The file holds no lines.');

  const delimiter = given.delimiter ?? preset?.delimiter ?? detectDelimiter(text);
  if (!delimiter) {
    return refuse('IMPORT_CSV_UNMAPPABLE', 'No delimiter splits the lines into columns: this is not a CSV statement.');
  }

  let rows: { record: string[]; line: number }[];
  try {
    const parsed = parse(text, {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      raw: true,
    }) as unknown as { record: string[]; info: { lines: number }; raw: string }[];
    rows = parsed.map(({ record, info, raw }) => ({
      record,
      // info.lines is where the record ends; a quoted field may span lines before it.
      line: info.lines - (raw.replace(/^[\r\n]+|[\r\n]+$/g, '').match(/\n/g)?.length ?? 0),
    }));
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines ?? null;
      const truncated = error.code === 'CSV_QUOTE_NOT_CLOSED';
      return refuse(
        truncated ? 'IMPORT_FILE_TRUNCATED' : 'IMPORT_FILE_MALFORMED',
        truncated
          ? 'The file ends inside a quoted field: it is cut short. Download it again.'
          : `A quote is misplaced (${error.code}): the file is not valid CSV.`,
        line,
      );
    }
    throw error;
  }

  const records = rows.map((row) => row.record);
  const found =
    given.columns?.bookedOn !== undefined && given.skipRecords !== undefined
      ? null
      : (() => {
          if (!preset) return findLayout(records);
          const at = records.slice(0, 30).findIndex((record) => presetColumns(preset, record) !== null);
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
    return refuse(
      'IMPORT_CSV_UNMAPPABLE',
      'No column is recognisably the booking date and the amount: map the columns yourself.',
    );
  }
  const body = rows.slice(skipRecords);
  const cell = (record: string[], at: number | null | undefined) => (at == null ? '' : (record[at] ?? ''));

  const usedPreset = found?.preset ?? null;
  const dateFormat =
    given.dateFormat ??
    detectDateFormat(
      body.map((r) => cell(r.record, columns.bookedOn)),
      usedPreset?.dateFormat,
    );
  if (!dateFormat) return refuse('IMPORT_CSV_UNMAPPABLE', 'No date format reads the booking dates.');
  const amountSamples = body.flatMap((r) => [
    cell(r.record, columns.amount),
    cell(r.record, columns.debit),
    cell(r.record, columns.credit),
  ]);
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

  const checked = csvMappingSchema.safeParse({
    encoding,
    delimiter,
    ...marks,
    dateFormat,
    skipRecords,
    columns,
  });
  if (!checked.success) {
    return refuse('IMPORT_CSV_UNMAPPABLE', `The column mapping is incomplete: ${checked.error.issues[0]?.message}.`);
  }
  const mapping = checked.data;
  return readEntries(body, mapping, options, {
    preset: usedPreset?.id ?? null,
    header: found?.header ?? null,
  });
}

function readEntries(
  body: { record: string[]; line: number }[],
  mapping: CsvMapping,
  options: CsvOptions,
  found: { preset: string | null; header: string[] | null },
): CsvParseResult {
  const { columns } = mapping;
  const widest = Math.max(...Object.values(columns).filter((c): c is number => c !== null));
  const cell = (record: string[], at: number | null) => (at === null ? '' : (record[at] ?? '').trim());
  const amountOf = (text: string) => parseAmount(text, mapping, options.currencyExponent);

  const entries: StatementEntry[] = [];
  const balances: { at: number; balance: number; amount: number }[] = [];
  const problems: ParseProblem[] = [];
  const unreadable: { line: number; problem: ParseProblem }[] = [];
  const pendingLines: number[] = [];
  const currencies = new Map<string, number>();

  for (const { record, line } of body) {
    if (record.every((c) => c.trim() === '')) continue;
    const dateText = cell(record, columns.bookedOn);
    const bookedOn = parseDate(dateText, mapping.dateFormat);
    if (!bookedOn) {
      if (pendingMarkers.has(dateText.toLowerCase())) {
        pendingLines.push(line);
        continue;
      }
      // Known only at the end: a run of such lines after the last entry is the bank's summary.
      unreadable.push({
        line,
        problem: {
          line,
          code: 'IMPORT_DATE_INVALID',
          message: `"${dateText.slice(0, 40)}" is not a date in ${mapping.dateFormat}.`,
        },
      });
      continue;
    }
    problems.push(...unreadable.map((u) => u.problem));
    unreadable.length = 0;
    if (record.length <= widest) {
      problems.push({
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
      problems.push({
        line,
        code: 'IMPORT_AMOUNT_INVALID',
        message: `No amount in ${options.currencyExponent}-decimal ${options.currency} with "${mapping.decimalMark}" as decimal mark.`,
      });
      continue;
    }
    if (amount === 0) {
      problems.push({ line, code: 'IMPORT_AMOUNT_ZERO', message: 'The line moves no money.' });
      continue;
    }
    const valueText = cell(record, columns.valueOn);
    const currency = cell(record, columns.currency).toUpperCase() || options.currency;
    currencies.set(currency, (currencies.get(currency) ?? 0) + 1);
    const balanceText = cell(record, columns.balance);
    const balance = balanceText === '' ? null : amountOf(balanceText);
    if (balance !== null) balances.push({ at: entries.length, balance, amount });
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
  const summaryLines = unreadable.map((u) => u.line);

  if (entries.length === 0) {
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
      csv: { mapping, ...found, summaryLines, pendingLines },
    };
  }
  // The statement's currency: what most entries say (the account's when no column says).
  const currency = [...currencies].sort((a, b) => b[1] - a[1])[0][0];
  const ends = balanceEnds(entries, balances);
  return {
    statement: {
      format: 'csv',
      account: null,
      currency,
      ...ends,
      entries,
    },
    problems,
    csv: { mapping, ...found, summaryLines, pendingLines },
  };
}

/**
 * Opening and closing balances from a running-balance column: banks list newest first or oldest
 * first, so the file's order is read from its dates (equal first and last dates: as written).
 */
function balanceEnds(
  entries: StatementEntry[],
  balances: { at: number; balance: number; amount: number }[],
): {
  openingBalanceMinor: number | null;
  openingOn: string | null;
  closingBalanceMinor: number | null;
  closingOn: string | null;
} {
  const none = { openingBalanceMinor: null, openingOn: null, closingBalanceMinor: null, closingOn: null };
  if (balances.length !== entries.length) return none;
  const newestFirst = entries[0].bookedOn > entries[entries.length - 1].bookedOn;
  const oldest = newestFirst ? balances[balances.length - 1] : balances[0];
  const newest = newestFirst ? balances[0] : balances[balances.length - 1];
  return {
    openingBalanceMinor: oldest.balance - oldest.amount,
    openingOn: entries[oldest.at].bookedOn,
    closingBalanceMinor: newest.balance,
    closingOn: entries[newest.at].bookedOn,
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
