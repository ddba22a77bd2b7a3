import { z } from 'zod';
import { csvMappingOverrideSchema } from './csv-mapping.ts';

/** What the import jobs take, checked by the worker at the first step (and by clients, if they like). */

export const statementFormats = ['csv', 'ofx', 'qif', 'camt.053', 'camt.054', 'mt940'] as const;

export const importPreviewParams = z.strictObject({
  /** The account the statement is of. */
  account_id: z.uuid(),
  /** The file in the imports bucket: `<org_id>/...`. */
  path: z.string().min(1).max(1024),
  /** The format, when the member chose it; detected otherwise. */
  format: z.enum(statementFormats).optional(),
  /** A CSV preset id (csvPresets); the detected or saved one otherwise. */
  preset: z.string().max(40).optional(),
  /** A CSV mapping, whole or in part, over the account's saved one (import_mappings). */
  mapping: csvMappingOverrideSchema.optional(),
  /** QIF: the date order, when the file's dates read both ways (IMPORT_DATE_AMBIGUOUS). */
  date_order: z.enum(['MDY', 'DMY']).optional(),
});

export const importCommitParams = z.strictObject({
  batch_id: z.uuid(),
});

export const importUndoParams = z.strictObject({
  batch_id: z.uuid(),
});

export type ImportPreviewParams = z.infer<typeof importPreviewParams>;
export type ImportCommitParams = z.infer<typeof importCommitParams>;
export type ImportUndoParams = z.infer<typeof importUndoParams>;
