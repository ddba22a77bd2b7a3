import { describe, expect, it } from 'vitest';
import { deliver } from './stripe-api.ts';
import { stripeEvent, stripeId, unixNow } from './stripe-events.ts';
import { storedEvent } from './webhook-fixtures.ts';

/**
 * stripe-webhook takes only events signed with its secret, as the real Stripe SDK signs them.
 */

describe('stripe-webhook signatures', () => {
  const event = () => stripeEvent('customer.created', { id: stripeId('cus'), object: 'customer' });

  it.each([
    ['signed with another secret', { secret: 'whsec_not_ours' }],
    ['without a signature', { signature: null }],
    ['with a malformed signature', { signature: 't=1,v1=abc' }],
    ['with a tampered body', { tamper: (payload: string) => payload.replace('"livemode":false', '"livemode":true') }],
    ['signed beyond the 5-minute tolerance', { timestamp: unixNow() - 301 }],
  ])('refuses an event %s with 400 STRIPE_SIGNATURE_INVALID and stores nothing', async (_, options) => {
    const sent = event();
    const { status, body } = await deliver(sent, options);
    expect(status).toBe(400);
    expect(body.error.code).toBe('STRIPE_SIGNATURE_INVALID');
    expect(await storedEvent(sent.id)).toBeUndefined();
  });

  it('accepts a properly signed event and acknowledges a type it does not use', async () => {
    const sent = event();
    const { status, body } = await deliver(sent, { timestamp: unixNow() - 120 });
    expect(status).toBe(200);
    expect(body).toEqual({ received: true, outcome: 'ignored' });
    expect(await storedEvent(sent.id)).toMatchObject({ type: 'customer.created', outcome: 'ignored', error: null });
  });
});
