import { describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { addMember, createOrganization } from '../helpers/organizations.ts';
import { createPlan } from './helpers.ts';
import { deliver } from './stripe-api.ts';
import { checkoutSession, invoiceObject, stripeEvent, stripeId, subscriptionObject, unixNow } from './stripe-events.ts';
import { payingOrganization, storedEvent, subscriptionRow, tryWrite } from './webhook-fixtures.ts';

/**
 * Invoice events: failed payments and their grace, the invoice history, events that cannot be
 * applied yet or at all.
 */

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
