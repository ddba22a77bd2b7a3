/**
 * The values every bank file reader turns text into: amounts in integer minor units, calendar
 * days, currency codes, and the problems it reports when one does not read. Amounts go through
 * string arithmetic only, never a float.
 */
import type { ParseProblem } from './statement.ts';

/** Money is bounded in every table (AMOUNT_OUT_OF_RANGE): at most 10^15 minor units either way. */
const maxMinor = 10 ** 15;

export function problem(line: number | null, code: string, message: string): ParseProblem {
  return { line, code, message };
}

/** ISO 4217 minor units from the runtime's CLDR data (JPY 0, SEK 2, KWD 3); null for a malformed code. */
export function currencyExponent(currency: string): number | null {
  if (!/^[A-Z]{3}$/.test(currency)) return null;
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return null;
  }
}

/**
 * A decimal amount ('-1234.5', '1234,50', '+7') to minor units with `exponent` decimals; null when
 * it is not one plain decimal number, carries significant digits beyond the exponent, or exceeds
 * the bound. Grouping separators are the caller's to remove (only the caller knows the file's).
 */
export function decimalToMinor(text: string, exponent: number): number | null {
  const match = /^([+-]?)(\d*)(?:[.,](\d*))?$/.exec(text.trim());
  if (!match) return null;
  const [, sign, whole = '', fraction = ''] = match;
  if (whole === '' && fraction === '') return null;
  if (fraction.length > exponent && /[1-9]/.test(fraction.slice(exponent))) return null;
  const digits = `${whole}${fraction.slice(0, exponent).padEnd(exponent, '0')}`.replace(/^0+(?=\d)/, '');
  if (digits.length > 16) return null;
  const value = Number(digits);
  if (value > maxMinor) return null;
  return sign === '-' && value !== 0 ? -value : value;
}

/** A calendar day as YYYY-MM-DD, or null if it is none (February 30) or outside 1900-2200. */
export function isoDay(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || year < 1900 || year > 2200) return null;
  if (!Number.isInteger(month) || month < 1 || month > 12) return null;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (!Number.isInteger(day) || day < 1 || day > last) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** 'YYYYMMDD…' or 'YYYY-MM-DD…' (OFX DTPOSTED, XML ISODate/ISODateTime): the calendar day as written. */
export function dayOfTimestamp(text: string): string | null {
  const match = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(text.trim());
  return match ? isoDay(Number(match[1]), Number(match[2]), Number(match[3])) : null;
}

/** Collapses the runs of blanks that fixed-width bank fields pad with; null for nothing left. */
export function cleanText(text: string | null | undefined): string | null {
  const cleaned = (text ?? '').replace(/\s+/g, ' ').trim();
  return cleaned === '' ? null : cleaned;
}
