import Stripe from 'stripe';
import type { TestUser } from '../helpers/clients.ts';
import { stripeTarget, target } from '../helpers/target.ts';

/** Calls an edge function as `user` (their access token), or anonymously; answers status and JSON. */
export async function callFunction(name: string, body: unknown, user?: TestUser, headers: Record<string, string> = {}) {
  const token = user ? (await user.client.auth.getSession()).data.session?.access_token : undefined;
  const response = await fetch(`${target.url}/functions/v1/${name}`, {
    method: 'POST',
    headers: {
      apikey: target.anonKey,
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const stripe = new Stripe('sk_test_unused');

/** Posts `event` to stripe-webhook signed as Stripe signs it (with the real SDK), or with `signature`. */
export async function deliver(
  event: object,
  options: {
    secret?: string;
    timestamp?: number;
    signature?: string | null;
    tamper?: (payload: string) => string;
  } = {},
) {
  const payload = JSON.stringify(event);
  const signature =
    options.signature === undefined
      ? stripe.webhooks.generateTestHeaderString({
          payload,
          secret: options.secret ?? stripeTarget.webhookSecret,
          timestamp: options.timestamp,
        })
      : options.signature;
  return callFunction('stripe-webhook', options.tamper ? options.tamper(payload) : payload, undefined, {
    ...(signature === null ? {} : { 'stripe-signature': signature }),
  });
}
