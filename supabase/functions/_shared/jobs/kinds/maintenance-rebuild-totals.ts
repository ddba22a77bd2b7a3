import { z } from 'zod';
import { defineKind } from '../kind.ts';

/**
 * Recomputes an organization's statistics from its transactions, after a bulk load or when
 * private.monthly_totals_drift shows a difference (docs/statistics.md). One step: the rebuild
 * locks the organization and replaces its totals in one transaction, so running it again is safe.
 */
export const rebuildTotals = defineKind({
  name: 'maintenance.rebuild_totals',
  role: 'admin',
  params: z.strictObject({}),
  initialState: () => ({}),
  async step(ctx) {
    const [row] = await ctx.sql<{ rows: number }[]>`
      select private.rebuild_monthly_totals(${ctx.orgId}),
             (select count(*)::int from private.monthly_totals m where m.org_id = ${ctx.orgId}) as rows`;
    return {
      state: {},
      progress: { fraction: 1, message: 'statistics rebuilt' },
      done: { totals_rows: row?.rows ?? 0 },
    };
  },
});
