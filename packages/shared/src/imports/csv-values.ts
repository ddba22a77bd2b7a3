import type { CsvMapping, DateFormat } from './csv-mapping.ts';

/**
 * Dates and amounts as banks print them, read without floats: an amount becomes integer minor
 * units by moving the digits, so 1.234,56 SEK is 123456 exactly.
 */

const datePatterns: Record<DateFormat, { re: RegExp; order: 'ymd' | 'dmy' | 'mdy' }> = {
  'YYYY-MM-DD': { re: /^(\d{4})-(\d{1,2})-(\d{1,2})$/, order: 'ymd' },
  'YYYY/MM/DD': { re: /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/, order: 'ymd' },
  YYYYMMDD: { re: /^(\d{4})(\d{2})(\d{2})$/, order: 'ymd' },
  'DD.MM.YYYY': { re: /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/, order: 'dmy' },
  'DD/MM/YYYY': { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: 'dmy' },
  'DD-MM-YYYY': { re: /^(\d{1,2})-(\d{1,2})-(\d{4})$/, order: 'dmy' },
  'MM/DD/YYYY': { re: /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/, order: 'mdy' },
  'DD.MM.YY': { re: /^(\d{1,2})\.(\d{1,2})\.(\d{2})$/, order: 'dmy' },
};

/** The ISO day (YYYY-MM-DD) `text` names in `format`, or null if it is not a real day in it. */
export function parseDate(text: string, format: DateFormat): string | null {
  const { re, order } = datePatterns[format];
  const m = re.exec(text.trim());
  if (!m) return null;
  const [a, b, c] = [m[1], m[2], m[3]].map(Number);
  let [year, month, day] = order === 'ymd' ? [a, b, c] : order === 'dmy' ? [c, b, a] : [c, a, b];
  // Two-digit years: the banks that print them mean this century.
  if (format === 'DD.MM.YY') year += 2000;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The formats that read every sample, most specific first (a day above 12 settles DD/MM against MM/DD). */
export function dateFormatsFitting(samples: string[]): DateFormat[] {
  return (Object.keys(datePatterns) as DateFormat[]).filter((format) =>
    samples.every((sample) => parseDate(sample, format) !== null),
  );
}

/** What a minus looks like: ASCII, the Unicode minus and the dashes spreadsheets put there. */
const minus = /^[-\u2212\u2013]/;
/** Currency codes and symbols a bank may print beside the number. */
const currencyNoise = /^(?:[A-Z]{3}|kr\.?|€|\$|£)\s*|\s*(?:[A-Z]{3}|kr\.?|€|\$|£)$/i;
/** Spaces banks print inside numbers: plain, no-break, narrow no-break, thin. */
const spaces = /[ \u00a0\u202f\u2009]/g;

/**
 * `text` as signed minor units of a currency with `exponent` decimals, or null when it is not an
 * amount in this mapping (a thousands separator where the decimal mark should be, more decimals
 * than the currency has, letters). Empty text is null too: the caller decides what that means.
 */
export function parseAmount(
  text: string,
  mapping: Pick<CsvMapping, 'decimalMark' | 'thousandsSeparator'>,
  exponent: number,
): number | null {
  let s = text.trim().replace(currencyNoise, '').trim();
  if (s === '') return null;
  let negative = false;
  if (s.startsWith('(') && s.endsWith(')')) {
    negative = true;
    s = s.slice(1, -1).trim();
  }
  if (minus.test(s)) {
    negative = !negative;
    s = s.slice(1).trim();
  } else if (s.startsWith('+')) {
    s = s.slice(1).trim();
  } else if (/[-\u2212]$/.test(s)) {
    // Some ledgers print the sign last: 125,00-
    negative = !negative;
    s = s.slice(0, -1).trim();
  }
  if (mapping.thousandsSeparator === ' ') s = s.replace(spaces, '');
  else if (mapping.thousandsSeparator !== '') {
    // A thousands separator only between groups of three digits.
    const groups = s.split(mapping.decimalMark)[0].split(mapping.thousandsSeparator);
    if (groups.length > 1 && groups.slice(1).some((g) => !/^\d{3}$/.test(g))) return null;
    s = s.split(mapping.thousandsSeparator).join('');
  }
  const parts = s.split(mapping.decimalMark);
  if (parts.length > 2) return null;
  const [whole, fraction = ''] = parts;
  if (!/^\d+$/.test(whole) || !/^\d*$/.test(fraction)) return null;
  // Decimals beyond the currency's are accepted only as zeros (1,500 EUR written 1,5000).
  if (fraction.length > exponent && /[^0]/.test(fraction.slice(exponent))) return null;
  const digits = (whole + fraction.slice(0, exponent).padEnd(exponent, '0')).replace(/^0+(?=\d)/, '');
  // Beyond 15 digits no amount is money (the database bounds amounts at 10^15 minor units).
  if (digits.length > 16) return null;
  const value = Number(digits);
  return negative && value !== 0 ? -value : value;
}
