import {
  type CsvColumns,
  type CsvMapping,
  csvDelimiters,
  type DateFormat,
  dateFormats,
  decimalMarks,
} from './csv-mapping.ts';
import { type CsvPreset, csvPresets, presetColumns } from './csv-presets.ts';
import { dateFormatsFitting, parseAmount, parseDate } from './csv-values.ts';

/**
 * How an unknown CSV is read, guessed from the file the way a person would: the encoding from
 * its bytes, the delimiter from the lines' shapes, the header from known column names (a bank
 * preset first), the date format and the decimal mark from the values in those columns.
 */

/** The encoding: a UTF-8 BOM or valid UTF-8 is UTF-8; anything else is Windows-1252 (a superset of ISO-8859-1's letters). */
export function detectEncoding(bytes: Uint8Array): CsvMapping['encoding'] {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

/**
 * The delimiter that splits the first lines into the same number of fields (at least two) most
 * often; quotes are respected, so a comma inside "ICA, Kista" does not count.
 */
export function detectDelimiter(text: string): CsvMapping['delimiter'] | null {
  const lines = text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(0, 40);
  let best: { delimiter: CsvMapping['delimiter']; score: number } | null = null;
  for (const delimiter of csvDelimiters) {
    const counts = lines.map((line) => fieldsIn(line, delimiter));
    const tally = new Map<number, number>();
    for (const count of counts) if (count > 1) tally.set(count, (tally.get(count) ?? 0) + 1);
    // The most common field count, weighted by its width so a stray comma in a preamble loses.
    let score = 0;
    for (const [fields, lineCount] of tally) score = Math.max(score, lineCount * 1000 + fields);
    if (score > 0 && (!best || score > best.score)) best = { delimiter, score };
  }
  return best?.delimiter ?? null;
}

function fieldsIn(line: string, delimiter: string): number {
  let fields = 1;
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === delimiter && !quoted) fields++;
  }
  return fields;
}

/** Header names by role, lowercased, in the languages of the Nordic banks and English and German. */
const headerNames: Record<keyof CsvColumns, string[]> = {
  bookedOn: [
    'booking date',
    'booked',
    'date',
    'posted date',
    'posting date',
    'transaction date',
    'bokföringsdag',
    'bokföringsdatum',
    'bokningsdag',
    'reskontradatum',
    'datum',
    'dato',
    'bogføringsdato',
    'bokføringsdato',
    'kirjauspäivä',
    'päivämäärä',
    'buchungstag',
    'buchungsdatum',
  ],
  valueOn: [
    'value date',
    'valutadag',
    'valutadatum',
    'arvopäivä',
    'rentedato',
    'valuteringsdato',
    'valuta date',
    'wertstellung',
  ],
  amount: ['amount', 'belopp', 'beløb', 'beløp', 'määrä', 'määrä euroa', 'summa', 'betrag', 'sum'],
  debit: [
    'debit',
    'withdrawal',
    'withdrawals',
    'money out',
    'paid out',
    'ut',
    'ut fra konto',
    'uttak',
    'debet',
    'udbetaling',
    'veloitus',
    'soll',
  ],
  credit: [
    'credit',
    'deposit',
    'deposits',
    'money in',
    'paid in',
    'inn',
    'inn på konto',
    'innskudd',
    'kredit',
    'indbetaling',
    'hyvitys',
    'haben',
  ],
  counterparty: [
    'payee',
    'counterparty',
    'name',
    'namn',
    'navn',
    'nimi',
    'mottagare',
    'text/mottagare',
    'saaja/maksaja',
    'beneficiary/payer',
    'empfänger',
    'forklaring',
    'tekst',
    'text',
    'beskrivelse',
    'description',
    'referens',
  ],
  text: [
    'message',
    'memo',
    'details',
    'meddelande',
    'viesti',
    'rubrik',
    'otsikko',
    'beskrivning',
    'verwendungszweck',
    'melding',
  ],
  reference: [
    'reference',
    'bank reference',
    'transaction id',
    'id',
    'arkistointitunnus',
    'verifikationsnummer',
    'arkivreferanse',
    'referenz',
  ],
  balance: ['balance', 'saldo', 'bokfört saldo', 'running balance'],
  currency: ['currency', 'valuta', 'valuutta', 'währung'],
};

const roleOrder = Object.keys(headerNames) as (keyof CsvColumns)[];

/** The columns a header row names by the generic names, or null without a date and an amount. */
export function headerColumns(header: string[]): CsvColumns | null {
  const cells = header.map((cell) => cell.trim().toLowerCase());
  const taken = new Set<number>();
  const found: Partial<Record<keyof CsvColumns, number | null>> = {};
  for (const role of roleOrder) {
    const names = headerNames[role];
    // Names earlier in the list are the better fit ('booking date' before 'date').
    let at = -1;
    for (const name of names) {
      at = cells.findIndex((cell, i) => !taken.has(i) && cell === name);
      if (at >= 0) break;
    }
    found[role] = at >= 0 ? at : null;
    if (at >= 0) taken.add(at);
  }
  if (found.bookedOn == null) return null;
  if (found.amount == null && (found.debit == null || found.credit == null)) return null;
  return {
    bookedOn: found.bookedOn,
    valueOn: found.valueOn ?? null,
    amount: found.amount ?? null,
    debit: found.amount == null ? (found.debit ?? null) : null,
    credit: found.amount == null ? (found.credit ?? null) : null,
    counterparty: found.counterparty ?? null,
    text: found.text ?? null,
    reference: found.reference ?? null,
    balance: found.balance ?? null,
    currency: found.currency ?? null,
  };
}

export interface FoundLayout {
  columns: CsvColumns;
  /** Records before the first entry (the header row included). */
  skipRecords: number;
  preset: CsvPreset | null;
  header: string[] | null;
}

/** How many records from the top are searched for a header. */
const headerSearchDepth = 30;

/**
 * The header row and its columns: the bank preset that recognises most columns in one of the
 * first records, else the generic names, else (a file without a header) the first record with
 * a date and an amount, read by position.
 */
export function findLayout(records: string[][]): FoundLayout | null {
  const top = records.slice(0, headerSearchDepth);
  let best: FoundLayout | null = null;
  let bestScore = 0;
  for (const [index, record] of top.entries()) {
    for (const preset of csvPresets) {
      const columns = presetColumns(preset, record);
      if (!columns) continue;
      const score = Object.values(columns).filter((c) => c !== null).length;
      if (score > bestScore) {
        best = { columns, skipRecords: index + 1, preset, header: record };
        bestScore = score;
      }
    }
  }
  if (best) return best;
  for (const [index, record] of top.entries()) {
    const columns = headerColumns(record);
    if (columns) return { columns, skipRecords: index + 1, preset: null, header: record };
  }
  return positionalLayout(top);
}

/** A file without a header: the first record with a date cell and an amount cell after it. */
function positionalLayout(records: string[][]): FoundLayout | null {
  for (const [index, record] of records.entries()) {
    const dateAt = record.findIndex((cell) => dateFormatsFitting([cell]).length > 0);
    if (dateAt < 0) continue;
    const amountAt = record.findIndex(
      (cell, i) => i !== dateAt && dateFormatsFitting([cell]).length === 0 && looksLikeAmount(cell),
    );
    if (amountAt < 0) continue;
    // The longest text in the record is the payee or message.
    let textAt: number | null = null;
    for (const [i, cell] of record.entries()) {
      if (i === dateAt || i === amountAt || !/\p{L}/u.test(cell)) continue;
      if (textAt === null || cell.length > record[textAt].length) textAt = i;
    }
    return {
      columns: {
        bookedOn: dateAt,
        valueOn: null,
        amount: amountAt,
        debit: null,
        credit: null,
        counterparty: textAt,
        text: null,
        reference: null,
        balance: null,
        currency: null,
      },
      skipRecords: index,
      preset: null,
      header: null,
    };
  }
  return null;
}

function looksLikeAmount(cell: string): boolean {
  return /^[-+(\u2212]?\s*\d[\d .,'\u00a0]*\d?\)?-?$/.test(cell.trim()) && /\d/.test(cell);
}

/** The date format that reads most of `samples` (all, unless trailing summary lines are among them). */
export function detectDateFormat(samples: string[], preferred?: DateFormat): DateFormat | null {
  const candidates = samples.filter((s) => /\d/.test(s)).slice(0, 500);
  if (candidates.length === 0) return null;
  const fits = (format: DateFormat) => candidates.filter((s) => parseDate(s, format) !== null).length;
  if (preferred && fits(preferred) === candidates.length) return preferred;
  let best: DateFormat | null = null;
  let bestFits = 0;
  for (const format of dateFormats) {
    const n = fits(format);
    if (n > bestFits) {
      best = format;
      bestFits = n;
    }
  }
  return best;
}

type NumberMarks = Pick<CsvMapping, 'decimalMark' | 'thousandsSeparator'>;

/**
 * The decimal mark and thousands separator that read the most amounts; among equals, one whose
 * decimal mark the amounts show with at most `exponent` digits after it, then no thousands
 * separator. `1,234` alone is ambiguous: a semicolon-delimited file means a decimal comma.
 */
export function detectNumberMarks(
  samples: string[],
  exponent: number,
  delimiter: CsvMapping['delimiter'],
  preferred?: NumberMarks,
): NumberMarks {
  const values = samples.filter((s) => s.trim() !== '').slice(0, 500);
  const reads = (marks: NumberMarks) => values.filter((v) => parseAmount(v, marks, exponent) !== null).length;
  if (preferred && reads(preferred) === values.length) return preferred;
  const candidates: NumberMarks[] = [];
  for (const decimalMark of decimalMarks) {
    for (const thousandsSeparator of ['', ' ', decimalMark === ',' ? '.' : ',', "'"] as const) {
      candidates.push({ decimalMark, thousandsSeparator });
    }
  }
  const shown = (mark: string) =>
    values.some((v) => new RegExp(`\\${mark}\\d{1,${Math.max(exponent, 1)}}\\)?-?$`).test(v.trim()));
  const rank = (marks: NumberMarks) => [
    reads(marks),
    shown(marks.decimalMark) ? 1 : 0,
    marks.decimalMark === (delimiter === ',' ? '.' : ',') ? 1 : 0,
    marks.thousandsSeparator === '' ? 1 : 0,
  ];
  let best = candidates[0];
  let bestRank = rank(best);
  for (const marks of candidates.slice(1)) {
    const r = rank(marks);
    const better = r.findIndex((v, i) => v !== bestRank[i]);
    if (better >= 0 && r[better] > bestRank[better]) {
      best = marks;
      bestRank = r;
    }
  }
  return best;
}
