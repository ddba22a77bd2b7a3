/**
 * Integer minor units to a decimal string in major units, by string arithmetic: a bigint's digits
 * are split at the currency's exponent (ISO 4217 minor units: JPY 0, SEK 2, KWD 3), so no amount
 * ever passes through a float. Postgres bigints arrive as strings (postgres.js, the Data API).
 */
export type Minor = string | bigint | number;

export interface MoneyFormat {
  /** '.' or ','. */
  decimalMark: string;
  /** Put between groups of three integer digits; '' for none (machine-readable files). */
  groupSeparator: string;
}

export const plainFormat: MoneyFormat = { decimalMark: '.', groupSeparator: '' };

function digitsOf(minor: Minor): { negative: boolean; digits: string } {
  if (typeof minor === 'number' && !Number.isSafeInteger(minor)) {
    throw new RangeError(`not an integer amount of minor units: ${minor}`);
  }
  const text = typeof minor === 'string' ? minor.trim() : minor.toString();
  if (!/^-?\d+$/.test(text)) throw new RangeError(`not an integer amount of minor units: ${text}`);
  const negative = text.startsWith('-');
  const digits = (negative ? text.slice(1) : text).replace(/^0+(?=\d)/, '');
  return { negative: negative && /[1-9]/.test(digits), digits };
}

/** `formatMinor('-123456', 2)` is '-1234.56'; with `{ decimalMark: ',', groupSeparator: ' ' }` '-1 234,56'. */
export function formatMinor(minor: Minor, exponent: number, format: MoneyFormat = plainFormat): string {
  if (!Number.isInteger(exponent) || exponent < 0 || exponent > 4) throw new RangeError(`bad exponent ${exponent}`);
  const { negative, digits } = digitsOf(minor);
  const padded = digits.padStart(exponent + 1, '0');
  const whole = padded.slice(0, padded.length - exponent);
  const fraction = padded.slice(padded.length - exponent);
  const grouped = format.groupSeparator ? whole.replace(/\B(?=(\d{3})+$)/g, format.groupSeparator) : whole;
  return `${negative ? '-' : ''}${grouped}${exponent > 0 ? format.decimalMark + fraction : ''}`;
}

/** The exact decimal of a minor amount for a spreadsheet cell (`<v>12.5</v>` is read as a number). */
export function minorToDecimal(minor: Minor, exponent: number): string {
  return formatMinor(minor, exponent, plainFormat);
}
