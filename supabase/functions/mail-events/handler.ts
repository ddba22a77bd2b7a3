import { AppError } from '@westwallet/shared';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import { db } from '../_shared/db.ts';
import { endpoint, json } from '../_shared/http.ts';

/** The part of Resend's events (https://resend.com/docs/dashboard/webhooks/event-types) read here. */
const event = z.object({
  type: z.string(),
  data: z.object({
    to: z.union([z.string(), z.array(z.string())]),
    bounce: z.object({ type: z.string().optional() }).optional(),
  }).passthrough(),
});

/**
 * The mail provider's webhook (Resend). Resend signs with Svix, which is Standard Webhooks under
 * `svix-*` header names: the signature is checked with the `standardwebhooks` package against
 * RESEND_WEBHOOK_SECRET (`whsec_...`), with its five-minute tolerance. A hard bounce
 * (`email.bounced` other than a Transient one) or a complaint (`email.complained`) suppresses the
 * address (private.suppress_address); other events are acknowledged and ignored. The event id
 * makes a delivery that arrives twice change nothing.
 */
export const handler = endpoint(['POST'], async (request) => {
  const secret = Deno.env.get('RESEND_WEBHOOK_SECRET');
  if (!secret) throw new AppError('MAIL_EVENT_SIGNATURE_INVALID', 'RESEND_WEBHOOK_SECRET is not set.');
  const payload = await request.text();
  const header = (name: string) => request.headers.get(`webhook-${name}`) ?? request.headers.get(`svix-${name}`) ?? '';
  const id = header('id');
  let body: unknown;
  try {
    body = new Webhook(secret).verify(payload, {
      'webhook-id': id,
      'webhook-timestamp': header('timestamp'),
      'webhook-signature': header('signature'),
    });
  } catch {
    throw new AppError('MAIL_EVENT_SIGNATURE_INVALID', 'The signature does not match the body, or is too old.');
  }
  const { type, data } = event.parse(body);
  const reason = type === 'email.complained'
    ? 'complaint'
    : type === 'email.bounced' && data.bounce?.type !== 'Transient'
    ? 'bounce'
    : null;
  if (!reason) return json({ received: true, suppressed: 0 });
  const sql = db();
  let suppressed = 0;
  for (const address of [data.to].flat()) {
    const [{ added }] = await sql<{ added: boolean }[]>`
      select private.suppress_address(${address}, ${reason}, ${id}) as added`;
    if (added) suppressed += 1;
  }
  return json({ received: true, suppressed });
});
