import { z } from 'zod';
import { defineKind, JobFailure } from '../jobs/kind.ts';
import { checkDestination, DestinationRefused } from '../outbound/ssrf.ts';

/**
 * The registration check of a receiver's name (supabase/schemas/16_webhooks/0175_check_webhook_url.sql):
 * resolves it with the resolver every delivery uses and disables the endpoint when an address
 * is private, loopback, link-local or metadata. A name that does not resolve now is left to the
 * check before every delivery: DNS may be down for a moment, and nothing is sent to it anyway.
 */
export const checkUrl = defineKind<
  { endpoint_id: string; url: string },
  Record<never, never>,
  { address: string | null }
>({
  name: 'webhooks.check_url',
  role: 'admin',
  params: z.strictObject({ endpoint_id: z.uuid(), url: z.string() }),
  initialState: () => ({}),
  async step(ctx, params) {
    const [settings] = await ctx.sql<{ allow_loopback: boolean }[]>`
      select allow_loopback from private.webhook_settings`;
    try {
      const destination = await checkDestination(params.url, settings.allow_loopback);
      return { state: {}, progress: { fraction: 1, message: 'checked' }, done: { address: destination.address } };
    } catch (error) {
      if (!(error instanceof DestinationRefused)) throw error;
      if (error.code === 'WEBHOOK_URL_INVALID') {
        return { state: {}, progress: { fraction: 1, message: 'not resolved' }, done: { address: null } };
      }
      // Only while the URL is the one checked: a newer URL has a check of its own.
      await ctx.sql`
        update public.webhook_endpoints set enabled = false, disabled_reason = 'url_forbidden'
        where org_id = ${ctx.orgId} and id = ${params.endpoint_id} and url = ${params.url}`;
      throw new JobFailure('WEBHOOK_URL_FORBIDDEN', `The receiver's name points inside the network: ${error.message}.`);
    }
  },
});
