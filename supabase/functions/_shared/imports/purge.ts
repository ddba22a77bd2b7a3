import { z } from 'zod';
import type { JobKind } from '../jobs/kind.ts';
import { importsBucket } from './existing.ts';

interface PurgeCounts {
  batches: number;
  rows: number;
  files: number;
}

/** A step starts no unit of work with less than this left (a unit is one bounded statement or Storage call). */
const unitMs = 300;
/** Files a Storage call removes. */
const filesPerCall = 1000;

/**
 * `import.purge`: what an organization's imports leave behind, past their retention
 * (supabase/schemas/13_imports/0110_purge_imports.sql): the staged rows of expired previews and
 * old batches, 5,000 a statement, then the statement files no batch needs, through the Storage
 * API, a thousand a call. Scheduled nightly for each organization that has some; every part can
 * run twice without harm (the rows are gone, removing a file twice is nothing).
 */
export const purgeImports: JobKind<Record<string, never>, PurgeCounts, PurgeCounts> = {
  name: 'import.purge',
  role: 'owner',
  params: z.object({}).strict(),
  initialState: () => ({ batches: 0, rows: 0, files: 0 }),
  async step(ctx, _params, state) {
    const counts = { ...state };
    for (;;) {
      const [batch] = await ctx.sql<{ batch_id: string }[]>`
        select batch_id from admin.expired_import_batches where org_id = ${ctx.orgId} order by created_at limit 1`;
      if (batch) {
        const [{ removed }] = await ctx.sql<{ removed: number }[]>`
          select private.purge_import_batch(${ctx.orgId}, ${batch.batch_id}) as removed`;
        counts.rows += removed;
        if (removed < 5000) counts.batches++;
      } else {
        // The batches first: a purged batch's file is then no longer needed.
        const files = await ctx.sql<{ object_path: string }[]>`
          select object_path from admin.expired_import_files
          where org_folder = ${ctx.orgId} order by created_at limit ${filesPerCall}`;
        if (files.length > 0) await ctx.storage.remove(importsBucket, files.map((f) => f.object_path));
        counts.files += files.length;
        if (files.length < filesPerCall) {
          return { state: counts, progress: { fraction: 1, message: message(counts) }, done: counts };
        }
      }
      if (ctx.deadline.remainingMs() < unitMs) {
        return { state: counts, progress: { fraction: 0.5, message: message(counts) } };
      }
    }
  },
};

function message(counts: PurgeCounts): string {
  return `${counts.batches} batches, ${counts.rows} rows, ${counts.files} files purged`;
}
