import { z } from 'zod';
import { exportLocales } from './locale.ts';

/** What the export jobs take, checked by the worker at the first step (and by clients, if they like). */

const isoDate = z.iso.date();

/** search_transactions' filters, by the same names. */
export const transactionFilters = z
  .object({
    text_query: z.string().max(200).optional(),
    from_date: isoDate.optional(),
    to_date: isoDate.optional(),
    min_amount_minor: z.number().int().optional(),
    max_amount_minor: z.number().int().optional(),
    category_id: z.uuid().optional(),
    vendor_id: z.uuid().optional(),
    tag_id: z.uuid().optional(),
    account_id: z.uuid().optional(),
    kind: z.enum(['expense', 'income', 'transfer']).optional(),
  })
  .strict();

export const csvExportParams = z
  .object({
    filters: transactionFilters.default({}),
    /** The delimiter and decimal mark; the organization's locale when left out. */
    locale: z.enum(exportLocales).optional(),
    bom: z.boolean().default(false),
  })
  .strict();
export type CsvExportParams = z.infer<typeof csvExportParams>;

export const xlsxExportParams = z
  .object({
    filters: transactionFilters.default({}),
    /** The year of the summary and budget sheets; the current year when left out. */
    year: z.number().int().min(1900).max(2200).optional(),
  })
  .strict();
export type XlsxExportParams = z.infer<typeof xlsxExportParams>;

export const reportParams = z
  .object({
    year: z.number().int().min(1900).max(2200),
    /** 1-12 for a month report; left out for the year report. */
    month: z.number().int().min(1).max(12).optional(),
  })
  .strict();
export type ReportParams = z.infer<typeof reportParams>;

export const backupParams = z.object({}).strict();
export type BackupParams = z.infer<typeof backupParams>;
