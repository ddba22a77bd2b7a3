import { z } from 'zod';
import type { JobKind } from '../jobs/kind.ts';
import { exportsBucket } from './upload.ts';

/**
 * `export.purge`: removes an organization's export files past their retention
 * (admin.expired_exports, 7 days) through the Storage API, a thousand at a time. Scheduled daily
 * for each organization that has some; removing a file twice is harmless.
 */
export const purgeExports: JobKind<Record<string, never>, { removed: number }, { removed: number }> = {
  name: 'export.purge',
  role: 'owner',
  params: z.object({}).strict(),
  initialState: () => ({ removed: 0 }),
  async step(ctx, _params, state) {
    const expired = await ctx.sql<{ object_path: string }[]>`
      select object_path from admin.expired_exports
      where object_path like ${ctx.orgId + '/%'} order by created_at limit 1000`;
    if (expired.length > 0) await ctx.storage.remove(exportsBucket, expired.map((e) => e.object_path));
    const removed = state.removed + expired.length;
    const progress = { fraction: expired.length < 1000 ? 1 : 0.5, message: `${removed} files removed` };
    return expired.length < 1000
      ? { state: { removed }, progress, done: { removed } }
      : { state: { removed }, progress };
  },
};
