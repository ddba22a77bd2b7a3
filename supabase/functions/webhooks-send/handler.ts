import { AppError } from '@westwallet/shared';
import { z } from 'zod';
import { hasSecretKey } from '../_shared/auth.ts';
import { db } from '../_shared/db.ts';
import { endpoint, json } from '../_shared/http.ts';
import { deliverDueWebhooks } from '../_shared/webhooks/deliver.ts';

const Body = z.strictObject({ budget_ms: z.int().min(100).max(25_000).optional() });

/**
 * Delivers due outbound webhooks (public.webhook_deliveries through pgmq's `webhooks` queue).
 * Called with the secret key by the database after a commit that wrote an event, and by the
 * webhooks-dispatch cron job every second while a delivery is due; the queue says what to send.
 */
export const handler = endpoint(['POST'], async (request) => {
  if (!(await hasSecretKey(request))) throw new AppError('UNAUTHORIZED', 'webhooks-send takes the secret key.');
  const text = await request.text();
  let input: unknown;
  try {
    input = text.trim() ? JSON.parse(text) : {};
  } catch {
    input = null;
  }
  const parsed = Body.safeParse(input);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'The body is { "budget_ms"?: 100..25000 }.');
  const report = await deliverDueWebhooks(db(), parsed.data.budget_ms ?? 20_000);
  return json(report);
});
