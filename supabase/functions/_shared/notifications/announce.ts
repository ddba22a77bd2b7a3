import { z } from 'zod';
import { defineKind, JobFailure } from '../jobs/kind.ts';

interface Page {
  last_user_id: string | null;
  page_rows: number;
  audience: number;
  sent: number;
  opted_out: number;
  suppressed: number;
}

/**
 * Sends a platform admin's segment message (private.send_announcement queues it): one page of
 * the segment per step, in user id order after the checkpoint's last id, in one transaction
 * (private.send_announcement_page). Each user is served once per announcement even when a step
 * runs again, and each mail gets the next slot of the announcement's rate on the mail queue.
 */
export const announce = defineKind({
  name: 'notifications.announce',
  role: 'owner',
  params: z.strictObject({ announcement_id: z.uuid(), page_size: z.int().min(1).max(1000) }),
  initialState: () => ({ after: null as string | null }),
  async step(ctx, params, state) {
    const [page] = await ctx.sql<Page[]>`
      select * from private.send_announcement_page(
        ${params.announcement_id}, ${ctx.jobId}, ${state.after}, ${params.page_size})`;
    if (!page) throw new JobFailure('ANNOUNCEMENT_NOT_FOUND', 'This job sends no announcement.');
    const examined = page.sent + page.opted_out + page.suppressed;
    const counts = { sent: page.sent, opted_out: page.opted_out, suppressed: page.suppressed };
    return {
      state: { after: page.last_user_id ?? state.after },
      progress: {
        fraction: page.audience > 0 ? Math.min(examined / page.audience, 0.99) : 0,
        message: `${page.sent} sent, ${page.opted_out} opted out, ${page.suppressed} suppressed`,
      },
      done: page.page_rows < params.page_size ? counts : undefined,
    };
  },
});
