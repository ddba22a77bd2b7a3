import { AppError } from '@westwallet/shared';
import Stripe from 'stripe';
import { db } from './db.ts';
import { BrokenCircuitError, Outbound } from './outbound/policy.ts';

export { Stripe };

/**
 * A Stripe client from STRIPE_SECRET_KEY, on fetch (Deno). STRIPE_API_BASE (e.g.
 * `http://127.0.0.1:12111`) points it at another server speaking Stripe's API: stripe-mock, or
 * the fake the tests start. Without a key billing is not set up: BILLING_NOT_CONFIGURED.
 */
export function stripeClient(): Stripe {
  const key = Deno.env.get('STRIPE_SECRET_KEY');
  if (!key) throw new AppError('BILLING_NOT_CONFIGURED', 'Stripe is not set up on this project (STRIPE_SECRET_KEY).');
  const base = Deno.env.get('STRIPE_API_BASE');
  const api = base ? new URL(base) : undefined;
  return new Stripe(key, {
    httpClient: Stripe.createFetchHttpClient(),
    maxNetworkRetries: 1,
    ...(api
      ? {
        host: api.hostname,
        port: Number(api.port || (api.protocol === 'https:' ? 443 : 80)),
        protocol: api.protocol === 'https:' ? 'https' : 'http',
      }
      : {}),
  });
}

/** Stripe being unwell (not our request being refused): what counts for the shared breaker. */
function stripeUnwell(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeConnectionError || error instanceof Stripe.errors.StripeAPIError ||
    error instanceof Stripe.errors.StripeRateLimitError || !(error instanceof Stripe.errors.StripeError);
}

/**
 * Runs a Stripe API call under the outbound policy (one breaker, `stripe`, shared by every
 * invocation: while Stripe is down, calls fail at once instead of waiting on it); Stripe's own
 * errors become STRIPE_UNAVAILABLE (logged, not answered).
 */
export async function callStripe<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await new Outbound(db()).call({ key: 'stripe', timeoutMs: 30_000, isTransient: stripeUnwell }, () => call());
  } catch (error) {
    if (error instanceof BrokenCircuitError) {
      console.error(`stripe: ${what} not tried, the breaker is open`);
      throw new AppError('STRIPE_UNAVAILABLE', `Stripe could not ${what}; try again.`);
    }
    if (!(error instanceof Stripe.errors.StripeError)) throw error;
    console.error(`stripe: ${what} failed`, error.type, error.code, error.message);
    throw new AppError('STRIPE_UNAVAILABLE', `Stripe could not ${what}; try again.`);
  }
}
