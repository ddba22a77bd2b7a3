import { defineKind, type RegisteredKind } from '../jobs/kind.ts';
import { backupExport } from './backup.ts';
import { csvExport } from './csv.ts';
import { reportPdf } from './pdf.ts';
import { purgeExports } from './purge.ts';
import { restartingWhenUploadGone } from './upload.ts';
import { xlsxExport } from './xlsx.ts';

/** The export kinds, for the runner's list (_shared/jobs/kinds.ts) and private.job_kinds. */
export const exportKinds: RegisteredKind[] = [
  defineKind(restartingWhenUploadGone(csvExport)),
  defineKind(restartingWhenUploadGone(xlsxExport)),
  defineKind(reportPdf),
  defineKind(restartingWhenUploadGone(backupExport)),
  defineKind(purgeExports),
];
