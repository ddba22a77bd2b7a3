import { AppError } from '@westwallet/shared';
import { db } from '../_shared/db.ts';
import { endpoint, json } from '../_shared/http.ts';
import { Stripe } from '../_shared/stripe.ts';

const cryptoProvider = Stripe.createSubtleCryptoProvider();

/**
 * POST from Stripe. The signature is checked on the raw body (Stripe's default tolerance of five
 * minutes); then the database stores the event and applies it once (private.receive_stripe_event).
 * 200 for applied, stale, ignored and duplicate events, and for an invoice event whose customer
 * is not known yet (`waiting: unknown customer`: the database applies it when the customer becomes
 * known); 400 for a bad signature; 500 when applying failed, so Stripe retries (the error is kept
 * on the stored event).
 */
export const handler = endpoint(['POST'], async (request) => {
  const secret = Deno.env.get('STRIPE_WEBHOOK_SECRET');
  if (!secret) {
    throw new AppError('BILLING_NOT_CONFIGURED', 'Stripe is not set up on this project (STRIPE_WEBHOOK_SECRET).');
  }
  const signature = request.headers.get('stripe-signature');
  if (!signature) throw new AppError('STRIPE_SIGNATURE_INVALID', 'The Stripe-Signature header is missing.');
  const payload = await request.text();
  let event: Stripe.Event;
  try {
    event = await Stripe.webhooks.constructEventAsync(payload, signature, secret, undefined, cryptoProvider);
  } catch {
    throw new AppError('STRIPE_SIGNATURE_INVALID', 'The Stripe signature does not match the body, or is too old.');
  }
  const sql = db();
  const [{ outcome }] = await sql<{ outcome: string }[]>`
    select private.receive_stripe_event(${sql.json(event as never)}) as outcome`;
  if (outcome === 'failed') throw new Error('stripe-webhook: the event was stored but could not be applied');
  return json({ received: true, outcome });
});
