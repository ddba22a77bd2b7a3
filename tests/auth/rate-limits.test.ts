import { randomInt, randomUUID } from 'node:crypto';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { signUpUser } from '../helpers/clients.ts';
import { target } from '../helpers/target.ts';
import { authConfig } from './config.ts';

/**
 * GoTrue limits per client, by the address the platform's gateway gives (X-Forwarded-For), else
 * the address a request came from (see docs/auth.md): each test is a client of its own. GoTrue's buckets hold
 * 30 requests (its burst) and refill at the configured rate per 5 minutes.
 */
const BURST = 30;
/**
 * A client of its own: GoTrue goes by the first address, one of 203.0.113.0/24 (TEST-NET-3) that
 * no other client of the run has had. Picked at random among 254, two tests could share a bucket,
 * and the later one was refused with 429 before its own first request.
 */
let clients = 0;
const client = () => `203.0.113.${++clients}, 10.${randomInt(0, 255)}.${randomInt(0, 255)}.${randomInt(1, 255)}`;

function auth(path: string, forwardedFor: string, body: unknown): Promise<Response> {
  return fetch(`${target.url}/auth/v1${path}`, {
    method: 'POST',
    headers: { apikey: target.anonKey, 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
    body: JSON.stringify(body),
  });
}

/**
 * Sends `count` requests at once; the statuses, and how many the bucket may have refilled while
 * they ran (at `perFiveMinutes`), so the count let through is exact up to that.
 */
async function burst(count: number, perFiveMinutes: number, send: (i: number) => Promise<Response>) {
  const started = Date.now();
  const statuses = (await Promise.all(Array.from({ length: count }, (_, i) => send(i)))).map((r) => r.status);
  const refilled = Math.ceil(((Date.now() - started) / 1000) * (perFiveMinutes / 300));
  return { statuses, passed: statuses.filter((status) => status !== 429).length, refilled };
}

/** A weak-password sign-up straight from `localAddress`, a loopback address of this machine, without X-Forwarded-For. */
function signUpFrom(localAddress: string): Promise<number> {
  const url = new URL(`${target.url}/auth/v1/signup`);
  const body = JSON.stringify({ email: `direct-${randomUUID().slice(0, 8)}@test.westwallet.app`, password: 'x' });
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        localAddress,
        headers: {
          apikey: target.anonKey,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('Auth rate limits', () => {
  it('counts a client that names no address by the address it comes from', async () => {
    // 127.0.0.0/8 is this machine's: an address of its own, so no other suite shares its bucket.
    const from = `127.${randomInt(1, 255)}.${randomInt(0, 255)}.${randomInt(1, 255)}`;
    const { passed, refilled } = await burst(BURST + 5, authConfig.rate_limit.sign_in_sign_ups, () =>
      signUpFrom(from).then((status) => new Response(null, { status })),
    );
    expect(passed).toBeGreaterThanOrEqual(BURST);
    expect(passed).toBeLessThanOrEqual(BURST + refilled);
    expect(await signUpFrom(from)).toBe(429);
  });

  it('answers sign-ups beyond the limit with 429 over_request_rate_limit', async () => {
    const from = client();
    const { statuses, passed, refilled } = await burst(BURST + 5, authConfig.rate_limit.sign_in_sign_ups, (i) =>
      // Weak passwords: refused after the limit is counted, without hashing anything.
      auth('/signup', from, { email: `limited-${i}-${randomUUID().slice(0, 8)}@test.westwallet.app`, password: 'x' }),
    );
    expect(passed).toBeGreaterThanOrEqual(BURST);
    expect(passed).toBeLessThanOrEqual(BURST + refilled);
    expect(statuses.filter((status) => status !== 429).every((status) => status === 422)).toBe(true);
    const after = await auth('/signup', from, { email: `x-${randomUUID()}@test.westwallet.app`, password: 'x' });
    expect(after.status).toBe(429);
    expect(await after.json()).toMatchObject({ error_code: 'over_request_rate_limit' });
    // Another client is not held back by this one.
    expect((await auth('/signup', client(), { email: 'not-an-email', password: 'x' })).status).not.toBe(429);
  });

  it('stops password guessing and refreshes at the token limit, the right password included', async () => {
    const user = await signUpUser('guessed');
    const from = client();
    // Guesses at addresses that do not exist are answered without hashing, so the burst is quick
    // and the bucket has no time to refill before the right password is tried.
    const { passed, refilled } = await burst(BURST + 5, authConfig.rate_limit.token_refresh, (i) =>
      i % 2 === 0
        ? fetch(`${target.url}/auth/v1/token?grant_type=password`, {
            method: 'POST',
            headers: { apikey: target.anonKey, 'content-type': 'application/json', 'x-forwarded-for': from },
            body: JSON.stringify({ email: `nobody-${randomUUID()}@test.westwallet.app`, password: 'wrong-password' }),
          })
        : fetch(`${target.url}/auth/v1/token?grant_type=refresh_token`, {
            method: 'POST',
            headers: { apikey: target.anonKey, 'content-type': 'application/json', 'x-forwarded-for': from },
            body: JSON.stringify({ refresh_token: randomUUID().slice(0, 12) }),
          }),
    );
    expect(passed).toBeGreaterThanOrEqual(BURST);
    expect(passed).toBeLessThanOrEqual(BURST + refilled);
    const right = await fetch(`${target.url}/auth/v1/token?grant_type=password`, {
      method: 'POST',
      headers: { apikey: target.anonKey, 'content-type': 'application/json', 'x-forwarded-for': from },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    expect(right.status).toBe(429);
  });

  it('limits verifications of one-time codes', async () => {
    const from = client();
    const { statuses, passed, refilled } = await burst(BURST + 5, authConfig.rate_limit.token_verifications, () =>
      auth('/verify', from, { type: 'magiclink', token_hash: randomUUID().replaceAll('-', '') }),
    );
    expect(passed).toBeGreaterThanOrEqual(BURST);
    expect(passed).toBeLessThanOrEqual(BURST + refilled);
    expect(statuses).toContain(429);
  });

  it('answers emails beyond email_sent per hour with 429 over_email_send_rate_limit', async () => {
    const user = await signUpUser('mailed');
    const from = client();
    for (let i = 0; i < authConfig.rate_limit.email_sent; i++) {
      expect((await auth('/recover', from, { email: user.email })).status).toBe(200);
    }
    const over = await auth('/recover', from, { email: user.email });
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({ error_code: 'over_email_send_rate_limit' });
  });
});

describe('password rules', () => {
  it(`refuses passwords shorter than ${authConfig.minimum_password_length} characters with 422 weak_password`, async () => {
    const weak = 'a'.repeat(authConfig.minimum_password_length - 1);
    const signUp = await auth('/signup', client(), {
      email: `weak-${randomUUID()}@test.westwallet.app`,
      password: weak,
    });
    expect(signUp.status).toBe(422);
    expect(await signUp.json()).toMatchObject({ error_code: 'weak_password', weak_password: { reasons: ['length'] } });

    const user = await signUpUser('weak-update');
    const { error } = await user.client.auth.updateUser({ password: weak });
    expect(error).toMatchObject({ status: 422, code: 'weak_password' });
  });
});
