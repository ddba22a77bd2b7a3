import { describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { addMember, createOrganization, type Organization } from '../helpers/organizations.ts';
import { createPlan, expireTrial } from './helpers.ts';
import { deliver } from './stripe-api.ts';
import { checkoutSession, invoiceObject, stripeEvent, stripeId, subscriptionObject, unixNow } from './stripe-events.ts';

/**
 * stripe-webhook, with events signed by the real Stripe SDK: signatures, each event id applied
 * once, out-of-order delivery, both object shapes, and what each event does to an organization.
 */

async function subscriptionRow(orgId: string) {
  const [row] = await adminSql`select * from public.subscriptions where org_id = ${orgId}`;
  return row;
}

async function storedEvent(id: string) {
  const [row] =
    await adminSql`select type, outcome, error, processed_at, attempts from private.stripe_events where id = ${id}`;
  return row;
}

const tryWrite = (org: Organization) =>
  org.owner.client.from('tags').insert({ org_id: org.id, name: `t-${stripeId('tag')}` });

/** An organization that paid through Checkout: its customer and subscription are known. */
async function payingOrganization(label: string) {
  const [org, plan] = await Promise.all([createOrganization(label), createPlan()]);
  const ids = { customer: stripeId('cus'), subscription: stripeId('sub') };
  const paid = await deliver(
    stripeEvent('checkout.session.completed', checkoutSession(org.id, ids.customer, ids.subscription, plan.id)),
  );
  expect(paid.status).toBe(200);
  return { org, plan, ...ids };
}

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

describe('invoice events', () => {
  it('make a failed payment past due with a grace period and a notice; paying ends it', async () => {
    const { org, customer, subscription } = await payingOrganization('pastdue');
    const t = unixNow();
    const failed = stripeEvent(
      'invoice.payment_failed',
      invoiceObject({ customer, subscription, orgId: org.id, status: 'open' }),
      t + 1,
    );
    expect((await deliver(failed)).body.outcome).toBe('applied');
    const row = await subscriptionRow(org.id);
    expect(row.status).toBe('past_due');
    expect(row.grace_until.getTime()).toBe((t + 1 + 7 * 86_400) * 1000);
    expect((await tryWrite(org)).error).toBeNull();
    const notices = await adminSql`select kind from private.billing_notices where org_id = ${org.id}`;
    expect(notices.map((n) => n.kind)).toEqual(['payment_failed']);

    // The grace runs out: read-only until the invoice is paid.
    await adminSql`update public.subscriptions set grace_until = now() - interval '1 second' where org_id = ${org.id}`;
    expect((await tryWrite(org)).error?.message).toBe('SUBSCRIPTION_INACTIVE');
    const paid = stripeEvent('invoice.paid', invoiceObject({ customer, subscription, orgId: org.id }), t + 2);
    expect((await deliver(paid)).body.outcome).toBe('applied');
    expect(await subscriptionRow(org.id)).toMatchObject({ status: 'active', grace_until: null });
    expect((await tryWrite(org)).error).toBeNull();
  });

  it.each(['current', 'legacy'] as const)('keep the invoice history from the %s object shape', async (shape) => {
    const { org, customer, subscription } = await payingOrganization(`invoice${shape}`);
    const invoice = invoiceObject({ customer, subscription, shape, amount: 12900, currency: 'sek', status: 'open' });
    await deliver(stripeEvent('invoice.finalized', invoice));
    await deliver(stripeEvent('invoice.paid', { ...invoice, status: 'paid', amount_paid: 12900 }, unixNow() + 1));
    const admin = await addMember(org, 'admin');
    const { data } = await admin.client.from('invoices').select('*').eq('org_id', org.id);
    expect(data).toEqual([
      expect.objectContaining({
        stripe_invoice_id: invoice.id,
        stripe_subscription_id: subscription,
        number: invoice.number,
        status: 'paid',
        currency: 'SEK',
        amount_due: 12900,
        amount_paid: 12900,
        hosted_invoice_url: invoice.hosted_invoice_url,
        invoice_pdf: invoice.invoice_pdf,
      }),
    ]);
    expect(Date.parse(String(data?.[0].period_end)) - Date.parse(String(data?.[0].period_start))).toBe(30 * 86_400_000);
  });

  it('keep a later invoice state when an older event arrives after it, and hide invoices from members', async () => {
    const { org, customer, subscription } = await payingOrganization('invoiceorder');
    const invoice = invoiceObject({ customer, subscription, orgId: org.id });
    const t = unixNow();
    await deliver(stripeEvent('invoice.paid', invoice, t + 10));
    expect((await deliver(stripeEvent('invoice.finalized', { ...invoice, status: 'open' }, t + 5))).body.outcome).toBe(
      'stale',
    );
    const [row] = await adminSql`select status from public.invoices where stripe_invoice_id = ${invoice.id}`;
    expect(row.status).toBe('paid');
    const member = await addMember(org, 'member');
    expect((await member.client.from('invoices').select('*').eq('org_id', org.id)).data).toEqual([]);
  });

  it('answer 500 and keep the error when an event cannot be applied, so Stripe retries', async () => {
    const { customer, subscription, org } = await payingOrganization('invoicefails');
    const sent = stripeEvent(
      'invoice.finalized',
      invoiceObject({ customer, subscription, orgId: org.id, currency: 'xts' }),
    );
    const { status } = await deliver(sent);
    expect(status).toBe(500);
    expect(await storedEvent(sent.id)).toMatchObject({ processed_at: null, attempts: 1 });
    expect((await storedEvent(sent.id)).error).toMatch(/^23503: /);
    expect((await deliver(sent)).status).toBe(500);
    expect(await storedEvent(sent.id)).toMatchObject({ attempts: 2 });
  });
});

describe('an invoice event before its customer is known', () => {
  /** An organization on trial, and the Stripe ids it will have once it pays. */
  async function subscribingOrganization(label: string) {
    const [org, plan] = await Promise.all([createOrganization(label), createPlan()]);
    return { org, plan, customer: stripeId('cus'), subscription: stripeId('sub') };
  }

  const invoiceRow = async (id: string) =>
    (await adminSql`select org_id, status from public.invoices where stripe_invoice_id = ${id}`)[0];

  it('waits, answering 200, and is applied when checkout makes the customer known', async () => {
    const { org, plan, customer, subscription } = await subscribingOrganization('invoicefirst');
    const t = unixNow();
    // No org_id in the invoice: only its customer could tell whose it is.
    const paid = stripeEvent('invoice.paid', invoiceObject({ customer, subscription, shape: 'legacy' }), t);
    expect(await deliver(paid)).toMatchObject({ status: 200, body: { outcome: 'waiting: unknown customer' } });
    expect(await storedEvent(paid.id)).toMatchObject({ outcome: 'waiting: unknown customer', processed_at: null });
    expect(await invoiceRow(paid.data.object.id)).toBeUndefined();

    const checkout = stripeEvent(
      'checkout.session.completed',
      checkoutSession(org.id, customer, subscription, plan.id),
      t,
    );
    expect((await deliver(checkout)).body.outcome).toBe('applied');

    expect(await invoiceRow(paid.data.object.id)).toEqual({ org_id: org.id, status: 'paid' });
    expect(await storedEvent(paid.id)).toMatchObject({ outcome: 'applied', processed_at: expect.any(Date) });
    expect(await subscriptionRow(org.id)).toMatchObject({ status: 'active', stripe_customer_id: customer });
  });

  it('is recorded without undoing newer state when a subscription event makes the customer known', async () => {
    const { org, plan, customer, subscription } = await subscribingOrganization('invoicebeforesub');
    const t = unixNow();
    const paid = stripeEvent('invoice.paid', invoiceObject({ customer, subscription, shape: 'legacy' }), t);
    expect((await deliver(paid)).body.outcome).toBe('waiting: unknown customer');

    const pastDue = stripeEvent(
      'customer.subscription.created',
      subscriptionObject({
        id: subscription,
        customer,
        orgId: org.id,
        price: plan.price as string,
        status: 'past_due',
      }),
      t + 5,
    );
    expect((await deliver(pastDue)).body.outcome).toBe('applied');

    expect(await invoiceRow(paid.data.object.id)).toEqual({ org_id: org.id, status: 'paid' });
    expect(await storedEvent(paid.id)).toMatchObject({ outcome: 'stale', processed_at: expect.any(Date) });
    expect(await subscriptionRow(org.id)).toMatchObject({ status: 'past_due', stripe_customer_id: customer });
  });
});

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
