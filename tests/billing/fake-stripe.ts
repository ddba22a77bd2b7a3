import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small stand-in for Stripe's API, for the requests our functions make: customers, Checkout
 * Sessions and Customer Portal sessions. The functions' Stripe SDK is pointed at it through
 * STRIPE_API_BASE; it records every request so a test can see what reached "Stripe".
 */

export interface StripeRequest {
  method: string;
  path: string;
  /** The form body, flat as Stripe's SDK encodes it: `metadata[org_id]`, `line_items[0][price]`. */
  form: Record<string, string>;
  authorization: string | undefined;
  idempotencyKey: string | undefined;
}

export interface FakeStripe {
  requests: StripeRequest[];
  /** Requests whose form has `key` = `value` (e.g. the org's id in metadata). */
  find(path: string, key: string, value: string): StripeRequest[];
  close(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

export async function startFakeStripe(port: number): Promise<FakeStripe> {
  const requests: StripeRequest[] = [];
  // Stripe answers a repeated idempotency key with the first answer.
  const byIdempotencyKey = new Map<string, unknown>();

  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => {
      raw += chunk;
    });
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(raw));
      const path = new URL(req.url ?? '/', 'http://fake').pathname;
      const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
      requests.push({ method: req.method ?? '', path, form, authorization: req.headers.authorization, idempotencyKey });
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
        res.end(JSON.stringify(body));
      };
      if (idempotencyKey && byIdempotencyKey.has(idempotencyKey))
        return answer(200, byIdempotencyKey.get(idempotencyKey));
      const created = route(req.method ?? '', path, form);
      if (!created) {
        return answer(404, {
          error: { type: 'invalid_request_error', message: `Unrecognized request URL (${path}).` },
        });
      }
      if (idempotencyKey) byIdempotencyKey.set(idempotencyKey, created);
      answer(200, created);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  if (!(server.address() as AddressInfo).port) throw new Error('the fake Stripe API did not start');

  return {
    requests,
    find: (path, key, value) => requests.filter((r) => r.path === path && r.form[key] === value),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function route(method: string, path: string, form: Record<string, string>): Record<string, unknown> | undefined {
  const created = Math.floor(Date.now() / 1000);
  if (method === 'POST' && path === '/v1/customers') {
    return { id: id('cus'), object: 'customer', created, name: form.name, email: form.email ?? null, metadata: {} };
  }
  if (method === 'POST' && path === '/v1/checkout/sessions') {
    const session = id('cs_test');
    return {
      id: session,
      object: 'checkout.session',
      created,
      mode: form.mode,
      customer: form.customer,
      client_reference_id: form.client_reference_id,
      url: `https://checkout.stripe.test/c/pay/${session}`,
      status: 'open',
    };
  }
  if (method === 'POST' && path === '/v1/billing_portal/sessions') {
    const session = id('bps');
    return {
      id: session,
      object: 'billing_portal.session',
      created,
      customer: form.customer,
      return_url: form.return_url,
      url: `https://billing.stripe.test/p/session/${session}`,
    };
  }
  return undefined;
}
