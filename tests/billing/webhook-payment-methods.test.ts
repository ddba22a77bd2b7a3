import { describe, expect, it } from 'vitest';
import { deliver } from './stripe-api.ts';
import { stripeEvent, stripeId, unixNow } from './stripe-events.ts';
import { payingOrganization } from './webhook-fixtures.ts';

/**
 * Payment method events: the card an organization pays with.
 */

describe('payment method events', () => {
  it('show the card brand and last four digits; an older event does not overwrite a newer card', async () => {
    const { org, customer } = await payingOrganization('card');
    const card = (brand: string, last4: string) => ({
      id: stripeId('pm'),
      object: 'payment_method',
      customer,
      type: 'card',
      card: { brand, last4 },
    });
    const t = unixNow();
    const customerUpdated = stripeEvent(
      'customer.updated',
      { id: customer, object: 'customer', invoice_settings: { default_payment_method: card('visa', '4242') } },
      t + 10,
    );
    expect((await deliver(customerUpdated)).body.outcome).toBe('applied');
    expect(
      (await deliver(stripeEvent('payment_method.attached', card('mastercard', '4444'), t + 5))).body.outcome,
    ).toBe('stale');
    const { data } = await org.owner.client
      .from('billing_status')
      .select('payment_method_brand, payment_method_last4')
      .eq('org_id', org.id)
      .single();
    expect(data).toEqual({ payment_method_brand: 'visa', payment_method_last4: '4242' });
  });
});
