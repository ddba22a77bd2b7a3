import { exportKinds } from '../exports/kinds.ts';
import { importKinds } from '../imports/kinds.ts';
import { announce } from '../notifications/announce.ts';
import { restoreBackup } from '../restore/kind.ts';
import { checkUrl } from '../webhooks/check-url.ts';
import { defineKind, type RegisteredKind } from './kind.ts';
import { diagnosticsProbe } from './kinds/diagnostics-probe.ts';
import { rebuildTotals } from './kinds/maintenance-rebuild-totals.ts';

/**
 * Every job kind the worker runs, by name. A new kind is added here and as a row of
 * private.job_kinds, which enqueue_job checks, inserted by its module's schema (as
 * supabase/schemas/12_exports/0005_export_job_kinds.sql does) and a data migration.
 */
export const jobKinds: ReadonlyMap<string, RegisteredKind> = new Map(
  [diagnosticsProbe, rebuildTotals, ...exportKinds, ...importKinds, defineKind(restoreBackup), announce, checkUrl].map((
    kind,
  ) => [
    kind.name,
    kind,
  ]),
);
