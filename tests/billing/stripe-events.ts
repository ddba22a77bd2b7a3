import { randomBytes } from 'node:crypto';

/**
 * Stripe event payloads as Stripe sends them, in the current object shapes (API 2025-03-31 and
 * later: a subscription's period on its items, an invoice's subscription under
 * parent.subscription_details) or the legacy ones (period on the subscription, invoice.subscription).
 */

export type Shape = 'current' | 'legacy';

export const stripeId = (prefix: string) => `${prefix}_${randomBytes(10).toString('hex')}`;
export const unixNow = () => Math.floor(Date.now() / 1000);
const day = 86_400;

export function stripeEvent<T extends object>(type: string, object: T, created = unixNow()) {
  return {
    id: stripeId('evt'),
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

export interface SubscriptionFields {
  id: string;
  customer: string;
  orgId?: string;
  price: string;
  status?: string;
  cancelAtPeriodEnd?: boolean;
  periodStart?: number;
  shape?: Shape;
}

export function subscriptionObject(fields: SubscriptionFields) {
  const start = fields.periodStart ?? unixNow();
  const period = { current_period_start: start, current_period_end: start + 30 * day };
  const base = {
    id: fields.id,
    object: 'subscription',
    customer: fields.customer,
    status: fields.status ?? 'active',
    cancel_at_period_end: fields.cancelAtPeriodEnd ?? false,
    metadata: fields.orgId ? { org_id: fields.orgId } : {},
  };
  const item = { id: stripeId('si'), object: 'subscription_item', price: { id: fields.price, object: 'price' } };
  if (fields.shape === 'legacy') {
    return { ...base, ...period, plan: { id: fields.price, object: 'plan' }, items: { object: 'list', data: [item] } };
  }
  return { ...base, items: { object: 'list', data: [{ ...item, ...period }] } };
}

export interface InvoiceFields {
  id?: string;
  customer: string;
  subscription: string;
  orgId?: string;
  status?: string;
  amount?: number;
  currency?: string;
  shape?: Shape;
}

export function invoiceObject(fields: InvoiceFields) {
  const id = fields.id ?? stripeId('in');
  const start = unixNow();
  const amount = fields.amount ?? 9900;
  const paid = (fields.status ?? 'paid') === 'paid';
  const base = {
    id,
    object: 'invoice',
    customer: fields.customer,
    number: `WW-${id.slice(-6).toUpperCase()}`,
    status: fields.status ?? 'paid',
    currency: fields.currency ?? 'sek',
    amount_due: amount,
    amount_paid: paid ? amount : 0,
    total: amount,
    created: start,
    period_start: start - 30 * day,
    period_end: start,
    hosted_invoice_url: `https://invoice.stripe.test/i/${id}`,
    invoice_pdf: `https://pay.stripe.test/invoice/${id}/pdf`,
    lines: { object: 'list', data: [{ id: stripeId('il'), period: { start, end: start + 30 * day } }] },
  };
  if (fields.shape === 'legacy') return { ...base, subscription: fields.subscription };
  return {
    ...base,
    parent: {
      type: 'subscription_details',
      subscription_details: {
        subscription: fields.subscription,
        metadata: fields.orgId ? { org_id: fields.orgId } : {},
      },
    },
  };
}

export function checkoutSession(orgId: string, customer: string, subscription: string, planId: string) {
  return {
    id: stripeId('cs_test'),
    object: 'checkout.session',
    mode: 'subscription',
    status: 'complete',
    payment_status: 'paid',
    customer,
    subscription,
    client_reference_id: orgId,
    metadata: { org_id: orgId, plan_id: planId },
  };
}
