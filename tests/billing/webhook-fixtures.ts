import { expect } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { createOrganization, type Organization } from '../helpers/organizations.ts';
import { createPlan } from './helpers.ts';
import { deliver } from './stripe-api.ts';
import { checkoutSession, stripeEvent, stripeId } from './stripe-events.ts';

/** What the stripe-webhook suites arrange and read back: organizations that paid, stored rows. */

export async function subscriptionRow(orgId: string) {
  const [row] = await adminSql`select * from public.subscriptions where org_id = ${orgId}`;
  return row;
}

export async function storedEvent(id: string) {
  const [row] =
    await adminSql`select type, outcome, error, processed_at, attempts from private.stripe_events where id = ${id}`;
  return row;
}

/** A write of the organization's owner, refused while it is read-only. */
export const tryWrite = (org: Organization) =>
  org.owner.client.from('tags').insert({ org_id: org.id, name: `t-${stripeId('tag')}` });

/** An organization that paid through Checkout: its customer and subscription are known. */
export async function payingOrganization(label: string) {
  const [org, plan] = await Promise.all([createOrganization(label), createPlan()]);
  const ids = { customer: stripeId('cus'), subscription: stripeId('sub') };
  const paid = await deliver(
    stripeEvent('checkout.session.completed', checkoutSession(org.id, ids.customer, ids.subscription, plan.id)),
  );
  expect(paid.status).toBe(200);
  return { org, plan, ...ids };
}
