import { describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { createPlan } from './helpers.ts';
import { deliver } from './stripe-api.ts';
import { stripeEvent, subscriptionObject, unixNow } from './stripe-events.ts';
import { payingOrganization, subscriptionRow, tryWrite } from './webhook-fixtures.ts';

/**
 * Subscription events: both object shapes, cancelling at period end, a Stripe trial ending.
 */

describe('subscription events', () => {
  it.each(['current', 'legacy'] as const)('read the plan and the period from the %s object shape', async (shape) => {
    const { org, customer, subscription } = await payingOrganization(`shape${shape}`);
    const other = await createPlan({ maxMembers: 4 });
    const periodStart = unixNow() - 3600;
    const sent = stripeEvent(
      'customer.subscription.updated',
      subscriptionObject({ id: subscription, customer, price: other.price as string, periodStart, shape }),
    );
    expect((await deliver(sent)).body.outcome).toBe('applied');
    const row = await subscriptionRow(org.id);
    expect(row).toMatchObject({ plan_id: other.id, status: 'active', stripe_status: 'active' });
    expect(row.current_period_start.getTime()).toBe(periodStart * 1000);
    expect(row.current_period_end.getTime()).toBe((periodStart + 30 * 86_400) * 1000);
  });

  it('show cancellation at period end as canceling, still writable', async () => {
    const { org, plan, customer, subscription } = await payingOrganization('canceling');
    const sent = stripeEvent(
      'customer.subscription.updated',
      subscriptionObject({ id: subscription, customer, price: plan.price as string, cancelAtPeriodEnd: true }),
    );
    await deliver(sent);
    const { data } = await org.owner.client
      .from('billing_status')
      .select('state, is_paid')
      .eq('org_id', org.id)
      .single();
    expect(data).toEqual({ state: 'canceling', is_paid: true });
    expect((await tryWrite(org)).error).toBeNull();
  });

  it('leave a notice when a Stripe trial is about to end', async () => {
    const { org, plan, customer, subscription } = await payingOrganization('trialend');
    const sent = stripeEvent(
      'customer.subscription.trial_will_end',
      subscriptionObject({ id: subscription, customer, price: plan.price as string, status: 'trialing' }),
    );
    expect((await deliver(sent)).body.outcome).toBe('applied');
    const notices = await adminSql`select kind from private.billing_notices where org_id = ${org.id}`;
    expect(notices.map((n) => n.kind)).toEqual(['trial_will_end']);
  });
});
