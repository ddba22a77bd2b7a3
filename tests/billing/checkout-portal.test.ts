import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { addMember, createOrganization } from '../helpers/organizations.ts';
import { stripeTarget } from '../helpers/target.ts';
import { type FakeStripe, startFakeStripe } from './fake-stripe.ts';
import { createPlan, expireTrial } from './helpers.ts';
import { callFunction, deliver } from './stripe-api.ts';
import { checkoutSession, stripeEvent, stripeId } from './stripe-events.ts';

/**
 * billing-checkout and billing-portal against a fake Stripe API (the functions' Stripe SDK points
 * at it through STRIPE_API_BASE): owners only, one Stripe customer per organization, reused.
 */

let fake: FakeStripe;
beforeAll(async () => {
  fake = await startFakeStripe(stripeTarget.fakeApiPort);
});
afterAll(() => fake?.close());

describe('billing-checkout', () => {
  it('gives an owner a Checkout Session for the plan, with a customer made once and reused', async () => {
    const [org, plan] = await Promise.all([createOrganization('checkout'), createPlan()]);
    const first = await callFunction('billing-checkout', { org_id: org.id, plan_id: plan.id }, org.owner);
    expect(first.status).toBe(200);
    expect(first.body.url).toMatch(/^https:\/\/checkout\.stripe\.test\//);
    const second = await callFunction(
      'billing-checkout',
      { org_id: org.id, plan_id: plan.id, success_url: 'https://app.example/ok', cancel_url: 'https://app.example/no' },
      org.owner,
    );
    expect(second.status).toBe(200);

    const customers = fake.find('/v1/customers', 'metadata[org_id]', org.id);
    expect(customers).toHaveLength(1);
    expect(customers[0]).toMatchObject({
      authorization: `Bearer ${stripeTarget.secretKey}`,
      form: { name: org.name, email: org.owner.email },
    });
    const [{ stripe_customer_id }] =
      await adminSql`select stripe_customer_id from public.subscriptions where org_id = ${org.id}`;
    const sessions = fake.find('/v1/checkout/sessions', 'metadata[org_id]', org.id);
    expect(sessions).toHaveLength(2);
    for (const session of sessions) {
      expect(session.form).toMatchObject({
        mode: 'subscription',
        customer: stripe_customer_id,
        client_reference_id: org.id,
        'line_items[0][price]': plan.price,
        'line_items[0][quantity]': '1',
        'metadata[plan_id]': plan.id,
        'subscription_data[metadata][org_id]': org.id,
      });
    }
    expect(sessions[0].form.success_url).toBe('http://127.0.0.1:3000/billing/success');
    expect(sessions[1].form).toMatchObject({
      success_url: 'https://app.example/ok',
      cancel_url: 'https://app.example/no',
    });
  });

  it('still works once the trial has expired: paying is how a read-only organization gets out', async () => {
    const [org, plan] = await Promise.all([createOrganization('checkoutexpired'), createPlan()]);
    await expireTrial(org.id);
    const { status, body } = await callFunction('billing-checkout', { org_id: org.id, plan_id: plan.id }, org.owner);
    expect(status).toBe(200);
    expect(body.url).toMatch(/^https:\/\/checkout\.stripe\.test\//);
  });

  it('refuses a second subscription (ALREADY_SUBSCRIBED): plans change in the portal', async () => {
    const [org, plan] = await Promise.all([createOrganization('checkouttwice'), createPlan()]);
    const paid = checkoutSession(org.id, stripeId('cus'), stripeId('sub'), plan.id);
    expect((await deliver(stripeEvent('checkout.session.completed', paid))).status).toBe(200);
    const again = await callFunction('billing-checkout', { org_id: org.id, plan_id: plan.id }, org.owner);
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'ALREADY_SUBSCRIBED' } } });
  });

  it('refuses admins (ROLE_FORBIDDEN) and anonymous callers (UNAUTHORIZED) before reaching Stripe', async () => {
    const [org, plan] = await Promise.all([createOrganization('checkoutadmin'), createPlan()]);
    const admin = await addMember(org, 'admin');
    const asAdmin = await callFunction('billing-checkout', { org_id: org.id, plan_id: plan.id }, admin);
    expect(asAdmin).toMatchObject({ status: 403, body: { error: { code: 'ROLE_FORBIDDEN' } } });
    const anonymous = await callFunction('billing-checkout', { org_id: org.id, plan_id: plan.id });
    expect(anonymous).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    expect(fake.find('/v1/customers', 'metadata[org_id]', org.id)).toEqual([]);
  });

  it('answers PLAN_NOT_FOUND, BILLING_NOT_CONFIGURED for a plan without price, and VALIDATION_FAILED', async () => {
    const [org, unpriced] = await Promise.all([createOrganization('checkoutplan'), createPlan({ price: null })]);
    const unknown = await callFunction('billing-checkout', { org_id: org.id, plan_id: 'no-such-plan' }, org.owner);
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'PLAN_NOT_FOUND' } } });
    const noPrice = await callFunction('billing-checkout', { org_id: org.id, plan_id: unpriced.id }, org.owner);
    expect(noPrice).toMatchObject({ status: 503, body: { error: { code: 'BILLING_NOT_CONFIGURED' } } });
    const invalid = await callFunction('billing-checkout', { org_id: 'nope', plan_id: 'x' }, org.owner);
    expect(invalid).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
  });
});

describe('billing-portal', () => {
  it('gives an owner a Customer Portal session for the organization’s customer', async () => {
    const [org, plan] = await Promise.all([createOrganization('portal'), createPlan()]);
    await callFunction('billing-checkout', { org_id: org.id, plan_id: plan.id }, org.owner);
    const { status, body } = await callFunction(
      'billing-portal',
      { org_id: org.id, return_url: 'https://app.example/billing' },
      org.owner,
    );
    expect(status).toBe(200);
    expect(body.url).toMatch(/^https:\/\/billing\.stripe\.test\//);
    const [{ stripe_customer_id }] =
      await adminSql`select stripe_customer_id from public.subscriptions where org_id = ${org.id}`;
    const portal = fake.find('/v1/billing_portal/sessions', 'customer', stripe_customer_id);
    expect(portal).toHaveLength(1);
    expect(portal[0].form.return_url).toBe('https://app.example/billing');
    expect(fake.find('/v1/customers', 'metadata[org_id]', org.id)).toHaveLength(1);
  });

  it('refuses members', async () => {
    const org = await createOrganization('portalmember');
    const member = await addMember(org, 'member');
    const { status, body } = await callFunction('billing-portal', { org_id: org.id }, member);
    expect(status).toBe(403);
    expect(body.error.code).toBe('ROLE_FORBIDDEN');
  });
});
