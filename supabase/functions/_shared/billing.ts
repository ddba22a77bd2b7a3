import { AppError } from '@westwallet/shared';
import { z } from 'zod';
import type { AuthUser } from './auth.ts';
import { asUser, db } from './db.ts';
import { callStripe, type Stripe } from './stripe.ts';

export interface BillingContext {
  org_name: string;
  customer_id: string | null;
  email: string | null;
  price_id: string | null;
}

/** The organization's billing context for an owner (ROLE_FORBIDDEN otherwise; PLAN_NOT_FOUND...). */
export async function billingContext(user: AuthUser, orgId: string, planId: string | null): Promise<BillingContext> {
  const [context] = await asUser(
    user,
    (sql) => sql<BillingContext[]>`select * from private.billing_context(${orgId}, ${planId})`,
  );
  if (!context) throw new AppError('ORGANIZATION_NOT_FOUND', `No organization ${orgId}.`);
  return context;
}

/**
 * The organization's Stripe customer, made on first use with the organization's id in its
 * metadata (the webhook finds the organization by it). The idempotency key makes concurrent first
 * uses get the same customer from Stripe; the database keeps the first one stored.
 */
export async function ensureCustomer(
  stripe: Stripe,
  orgId: string,
  context: BillingContext,
): Promise<string> {
  if (context.customer_id) return context.customer_id;
  const customer = await callStripe('create the customer', () =>
    stripe.customers.create(
      { name: context.org_name, email: context.email ?? undefined, metadata: { org_id: orgId } },
      { idempotencyKey: `westwallet-customer-${orgId}` },
    ));
  const [kept] = await db()<{ customer_id: string }[]>`
    select private.remember_stripe_customer(${orgId}, ${customer.id}) as customer_id`;
  return kept.customer_id;
}

/** A URL to send the browser back to: given, or APP_URL. */
export function returnUrl(given: string | undefined, path: string): string {
  if (given) return given;
  const app = Deno.env.get('APP_URL');
  if (!app) throw new AppError('VALIDATION_FAILED', 'Pass the URL to come back to (this project has no APP_URL).');
  return new URL(path, app).toString();
}

export const httpUrl = z.url({ protocol: /^https?$/ });
