import { z } from 'zod';

/**
 * How one bank's CSV is read: what the detector found (csv-detect.ts), what a preset says
 * (csv-presets.ts), or what a member corrected and saved for an account (public.import_mappings).
 * Columns are 0-based positions in the file's records.
 */

export const csvEncodings = ['utf-8', 'windows-1252', 'iso-8859-1'] as const;
export const csvDelimiters = [';', ',', '\t', '|'] as const;
export const decimalMarks = [',', '.'] as const;
/** '' for none; ' ' also matches the no-break and thin spaces banks print. */
export const thousandsSeparators = ['', ' ', '.', ',', "'"] as const;
export const dateFormats = [
  'YYYY-MM-DD',
  'YYYY/MM/DD',
  'YYYYMMDD',
  'DD.MM.YYYY',
  'DD/MM/YYYY',
  'DD-MM-YYYY',
  'MM/DD/YYYY',
  'DD.MM.YY',
] as const;

export type DateFormat = (typeof dateFormats)[number];

const column = z.number().int().min(0).max(199).nullable();

export const csvColumnsSchema = z.strictObject({
  bookedOn: z.number().int().min(0).max(199),
  valueOn: column.default(null),
  /** One signed amount (money out negative)... */
  amount: column.default(null),
  /** ...or money out and money in in two columns (either may carry a sign; out is made negative). */
  debit: column.default(null),
  credit: column.default(null),
  counterparty: column.default(null),
  text: column.default(null),
  reference: column.default(null),
  /** The balance after the row, which gives the statement's opening and closing balances. */
  balance: column.default(null),
  currency: column.default(null),
});

export const csvMappingSchema = z.strictObject({
  encoding: z.enum(csvEncodings),
  delimiter: z.enum(csvDelimiters),
  decimalMark: z.enum(decimalMarks),
  thousandsSeparator: z.enum(thousandsSeparators),
  dateFormat: z.enum(dateFormats),
  /** Records before the first entry: preamble lines and the header row. */
  skipRecords: z.number().int().min(0).max(100),
  columns: csvColumnsSchema.refine((c) => c.amount !== null || c.debit !== null || c.credit !== null, {
    message: 'needs an amount column, or debit and credit columns',
  }),
});

export type CsvColumns = z.infer<typeof csvColumnsSchema>;
export type CsvMapping = z.infer<typeof csvMappingSchema>;
/** What a member may give: any part of a mapping, the rest detected. */
export type CsvMappingOverride = Partial<Omit<CsvMapping, 'columns'>> & { columns?: Partial<CsvColumns> };

export const csvMappingOverrideSchema = z.strictObject({
  encoding: z.enum(csvEncodings).optional(),
  delimiter: z.enum(csvDelimiters).optional(),
  decimalMark: z.enum(decimalMarks).optional(),
  thousandsSeparator: z.enum(thousandsSeparators).optional(),
  dateFormat: z.enum(dateFormats).optional(),
  skipRecords: z.number().int().min(0).max(100).optional(),
  columns: csvColumnsSchema.partial().optional(),
});
