import { z } from 'zod';
import { requireUser } from '../_shared/auth.ts';
import { billingContext, ensureCustomer, httpUrl, returnUrl } from '../_shared/billing.ts';
import { endpoint, json } from '../_shared/http.ts';
import { callStripe, stripeClient } from '../_shared/stripe.ts';

const input = z.strictObject({ org_id: z.uuid(), return_url: httpUrl.optional() });

/**
 * POST { org_id, return_url? } as an owner: a Stripe Customer Portal session (payment method,
 * invoices, plan changes, cancellation). Answers { url }.
 */
export const handler = endpoint(['POST'], async (request) => {
  const user = await requireUser(request);
  const body = input.parse(await request.json().catch(() => undefined));
  const context = await billingContext(user, body.org_id, null);
  const stripe = stripeClient();
  const customer = await ensureCustomer(stripe, body.org_id, context);
  const session = await callStripe(
    'open the customer portal',
    () => stripe.billingPortal.sessions.create({ customer, return_url: returnUrl(body.return_url, '/billing') }),
  );
  return json({ url: session.url });
});
