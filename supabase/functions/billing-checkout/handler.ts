import { z } from 'zod';
import { requireUser } from '../_shared/auth.ts';
import { billingContext, ensureCustomer, httpUrl, returnUrl } from '../_shared/billing.ts';
import { endpoint, json } from '../_shared/http.ts';
import { callStripe, stripeClient } from '../_shared/stripe.ts';

const input = z.strictObject({
  org_id: z.uuid(),
  plan_id: z.string().min(1).max(40),
  success_url: httpUrl.optional(),
  cancel_url: httpUrl.optional(),
});

/**
 * POST { org_id, plan_id, success_url?, cancel_url? } as an owner: a Stripe Checkout Session for
 * the plan's price, for the organization's Stripe customer. Answers { id, url }: send the browser
 * to `url`. The organization's id travels in the session's and the subscription's metadata.
 */
export const handler = endpoint(['POST'], async (request) => {
  const user = await requireUser(request);
  const body = input.parse(await request.json().catch(() => undefined));
  const context = await billingContext(user, body.org_id, body.plan_id);
  const stripe = stripeClient();
  const customer = await ensureCustomer(stripe, body.org_id, context);
  const metadata = { org_id: body.org_id, plan_id: body.plan_id };
  const session = await callStripe('start the checkout', () =>
    stripe.checkout.sessions.create({
      mode: 'subscription',
      customer,
      client_reference_id: body.org_id,
      line_items: [{ price: context.price_id ?? undefined, quantity: 1 }],
      success_url: returnUrl(body.success_url, '/billing/success'),
      cancel_url: returnUrl(body.cancel_url, '/billing'),
      metadata,
      subscription_data: { metadata },
    }));
  return json({ id: session.id, url: session.url });
});
