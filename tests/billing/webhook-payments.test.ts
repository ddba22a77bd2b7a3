import { describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { createOrganization } from '../helpers/organizations.ts';
import { createPlan, expireTrial } from './helpers.ts';
import { deliver } from './stripe-api.ts';
import { checkoutSession, stripeEvent, stripeId, subscriptionObject, unixNow } from './stripe-events.ts';
import { payingOrganization, subscriptionRow, tryWrite } from './webhook-fixtures.ts';

/**
 * Paying through Checkout, as stripe-webhook hears it: an event id applied once, an older event
 * never over a newer one, a second subscription after the first.
 */

describe('paying', () => {
  it('reactivates an organization whose trial expired at once (checkout.session.completed)', async () => {
    const [org, plan] = await Promise.all([createOrganization('reactivate'), createPlan()]);
    await expireTrial(org.id);
    expect((await tryWrite(org)).error?.message).toBe('TRIAL_EXPIRED');

    const customer = stripeId('cus');
    const subscription = stripeId('sub');
    const sent = stripeEvent('checkout.session.completed', checkoutSession(org.id, customer, subscription, plan.id));
    expect((await deliver(sent)).body.outcome).toBe('applied');

    expect((await tryWrite(org)).error).toBeNull();
    const { data } = await org.owner.client.from('billing_status').select('*').eq('org_id', org.id).single();
    expect(data).toMatchObject({ state: 'active', is_paid: true, plan_id: plan.id, in_good_standing: true });
    expect(await subscriptionRow(org.id)).toMatchObject({
      stripe_customer_id: customer,
      stripe_subscription_id: subscription,
    });
  });

  it('applies an event id once: a replay answers 200 and changes nothing', async () => {
    const { org, plan, customer, subscription } = await payingOrganization('replay');
    const t = unixNow();
    const active = stripeEvent(
      'customer.subscription.updated',
      subscriptionObject({ id: subscription, customer, orgId: org.id, price: plan.price as string }),
      t + 1,
    );
    const pastDue = stripeEvent(
      'customer.subscription.updated',
      subscriptionObject({
        id: subscription,
        customer,
        orgId: org.id,
        price: plan.price as string,
        status: 'past_due',
      }),
      t + 2,
    );
    expect((await deliver(active)).body.outcome).toBe('applied');
    expect((await deliver(pastDue)).body.outcome).toBe('applied');
    const before = await subscriptionRow(org.id);

    const replay = await deliver(active);
    expect(replay).toMatchObject({ status: 200, body: { outcome: 'duplicate' } });
    expect(await subscriptionRow(org.id)).toEqual(before);
    expect(before.status).toBe('past_due');
    const [{ n }] = await adminSql`select count(*)::int as n from private.stripe_events where id = ${active.id}`;
    expect(n).toBe(1);
  });

  it('never lets an older event overwrite newer state delivered first', async () => {
    const { org, plan, customer, subscription } = await payingOrganization('outoforder');
    const t = unixNow();
    const sub = (status: string) =>
      subscriptionObject({ id: subscription, customer, orgId: org.id, price: plan.price as string, status });
    const deleted = stripeEvent('customer.subscription.deleted', sub('canceled'), t + 60);
    const olderUpdate = stripeEvent('customer.subscription.updated', sub('active'), t + 30);

    expect((await deliver(deleted)).body.outcome).toBe('applied');
    expect((await deliver(olderUpdate)).body.outcome).toBe('stale');
    expect(await subscriptionRow(org.id)).toMatchObject({ status: 'read_only', read_only_reason: 'canceled' });
    expect((await tryWrite(org)).error?.message).toBe('SUBSCRIPTION_INACTIVE');
  });
});

describe('subscribing again', () => {
  it('applies the new subscription’s first update even in the second of its checkout', async () => {
    const { org, plan, customer, subscription } = await payingOrganization('resubscribe');
    const t = unixNow();
    const ended = stripeEvent(
      'customer.subscription.deleted',
      subscriptionObject({
        id: subscription,
        customer,
        orgId: org.id,
        price: plan.price as string,
        status: 'canceled',
      }),
      t,
    );
    expect((await deliver(ended)).body.outcome).toBe('applied');
    const next = stripeId('sub');
    const checkout = stripeEvent(
      'checkout.session.completed',
      checkoutSession(org.id, customer, next, plan.id),
      t + 60,
    );
    expect((await deliver(checkout)).body.outcome).toBe('applied');
    const periodStart = t + 60;
    const update = stripeEvent(
      'customer.subscription.updated',
      subscriptionObject({ id: next, customer, orgId: org.id, price: plan.price as string, periodStart }),
      t + 60,
    );
    expect((await deliver(update)).body.outcome).toBe('applied');
    const row = await subscriptionRow(org.id);
    expect(row).toMatchObject({ status: 'active', stripe_status: 'active', stripe_subscription_id: next });
    expect(row.current_period_start.getTime()).toBe(periodStart * 1000);
  });
});
