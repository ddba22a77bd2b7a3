import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { anonClient, signUpUser, type TestUser } from '../helpers/clients.ts';
import { personalOrg } from '../helpers/organizations.ts';
import { target } from '../helpers/target.ts';

/**
 * Hostile and malformed input at the HTTP layer is refused with a 4xx and a stable code in the
 * service's own error shape, never a 5xx: the Data API's `code`, Auth's `error_code`, Storage's
 * `code`. Sent as a browser or an attacker would: supabase-js, or plain HTTP where supabase-js
 * would not send it.
 */

/** What a case is judged by: the HTTP status and the service's error code. */
interface Answer {
  status: number;
  code: unknown;
}

interface Case {
  name: string;
  send: () => Promise<Answer>;
  status: number;
  code: string | null;
}

let user: TestUser;
let token: string;
let orgId: string;
/** A file in the user's folder of the attachments bucket, and a signed download URL of it. */
let filePath: string;
let signedUrl: URL;

const email = (local: string) => `${local}@test.westwallet.app`;
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Plain HTTP to the stack, signed in as the user unless the headers say otherwise. */
async function send(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(`${target.url}${path}`, {
    ...init,
    headers: {
      apikey: target.anonKey,
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });
}

/** The Data API's code is `code`; Auth's is `error_code`; Storage's is `code` too. */
async function answer(response: Response, key: 'code' | 'error_code' = 'code'): Promise<Answer> {
  const text = await response.text();
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  return { status: response.status, code: body[key] ?? null };
}

const rest = (path: string, init?: Parameters<typeof send>[1]) => send(`/rest/v1${path}`, init).then((r) => answer(r));
const auth = (path: string, body: string, headers?: Record<string, string>) =>
  send(`/auth/v1${path}`, {
    method: 'POST',
    body,
    headers: { authorization: `Bearer ${target.anonKey}`, ...headers },
  }).then((r) => answer(r, 'error_code'));

/**
 * 7 MB of tags in 64 KiB chunks, sent with `transfer-encoding: chunked`: no length to refuse it
 * by before reading it up to the limit.
 */
const chunkedTagsOverLimit = () =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      const tag = JSON.stringify({ org_id: orgId, name: 'x'.repeat(180) });
      const bytes = new TextEncoder().encode(`[${Array.from({ length: 30_000 }, () => tag).join(',')}]`);
      for (let i = 0; i < bytes.length; i += 65_536) controller.enqueue(bytes.subarray(i, i + 65_536));
      controller.close();
    },
  });
/** A POST of the tags above, through plain HTTP (supabase-js always sends a length). */
const postChunkedTags = () =>
  send('/rest/v1/tags', { method: 'POST', body: chunkedTagsOverLimit(), duplex: 'half' } as Parameters<typeof send>[1]);

/** Sign-up as the browser app sends it, through supabase-js. */
async function signUp(address: string, data?: object): Promise<Answer> {
  const { error } = await anonClient().auth.signUp({
    email: address,
    password: `pw-${randomUUID()}`,
    options: { data },
  });
  return { status: error?.status ?? 200, code: error?.code ?? null };
}

const cases: Case[] = [
  // Data API (/rest/v1)
  {
    name: 'a 10 MB insert of 50,000 rows',
    send: () =>
      rest('/tags', {
        method: 'POST',
        body: JSON.stringify(
          Array.from({ length: 50_000 }, (_, i) => ({ org_id: orgId, name: `${i}`.padEnd(200, '.') })),
        ),
      }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'an insert of 7 MB sent in chunks, without a length',
    send: () => postChunkedTags().then((r) => answer(r)),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'an insert of more values than the local Data API binds (40,000 short rows)',
    send: () =>
      rest('/tags', {
        method: 'POST',
        body: JSON.stringify(Array.from({ length: 40_000 }, (_, i) => ({ org_id: orgId, name: `t${i}` }))),
      }),
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'preferences nested 100,000 deep',
    send: () =>
      rest(`/profiles?user_id=eq.${user.user.id}`, { method: 'PATCH', body: `{"preferences":${nested(100_000)}}` }),
    status: 413,
    code: 'JSON_TOO_DEEP',
  },
  {
    name: 'an RPC argument nested 100,000 deep',
    send: () =>
      rest('/rpc/set_transaction_splits', {
        method: 'POST',
        body: `{"transaction_id":"${randomUUID()}","parts":${nested(100_000)}}`,
      }),
    status: 413,
    code: 'JSON_TOO_DEEP',
  },
  {
    name: 'malformed JSON',
    send: () => rest('/tags', { method: 'POST', body: '{"name":' }),
    status: 400,
    code: 'PGRST102',
  },
  {
    name: 'a body of a type the Data API does not read',
    send: () => rest('/tags', { method: 'POST', body: '<tag/>', headers: { 'content-type': 'application/xml' } }),
    status: 400,
    code: 'PGRST102',
  },
  {
    name: 'a JWT with a forged signature',
    send: () => rest('/tags', { headers: { authorization: `Bearer ${token.replace(/\.[^.]+$/, '.Zm9yZ2Vk')}` } }),
    status: 401,
    code: 'PGRST301',
  },
  {
    name: 'a token that is no JWT',
    send: () => rest('/tags', { headers: { authorization: 'Bearer a.b.c' } }),
    status: 401,
    code: 'PGRST301',
  },
  {
    name: 'a path that is not valid percent-encoding',
    send: () => rest('/ta%ZZgs'),
    status: 400,
    code: 'MALFORMED_URL',
  },
  {
    name: 'a select embedding 1,000 levels deep',
    send: () => rest(`/tags?select=${'tags('.repeat(1000)}id${')'.repeat(1000)}`),
    status: 400,
    code: 'PGRST100',
  },
  {
    name: 'a filter of 1,000 nested and()',
    send: () => rest(`/tags?and=(${'and('.repeat(1000)}name.eq.x${')'.repeat(1000)})`),
    status: 400,
    code: 'PGRST100',
  },
  {
    name: 'headers of 32 KB',
    send: () => send('/rest/v1/tags', { headers: { 'x-padding': 'x'.repeat(32 * 1024) } }).then((r) => answer(r)),
    status: 431,
    code: null,
  },
  // Auth (/auth/v1)
  {
    name: 'a sign-up with a 300-character email',
    send: () => signUp(email('a'.repeat(280))),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a sign-up with a NUL in the email',
    send: () => signUp(email(`nul\u0000${randomUUID().slice(0, 8)}`)),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a sign-up with 10 MB of user metadata',
    send: () => signUp(email(`big-${randomUUID().slice(0, 8)}`), { display_name: 'x'.repeat(10_000_000) }),
    status: 413,
    code: 'request_entity_too_large',
  },
  {
    name: 'a sign-up with user metadata nested 100,000 deep',
    send: () =>
      auth(
        '/signup',
        `{"email":"${email(`deep-${randomUUID().slice(0, 8)}`)}","password":"pw-12345678","data":${nested(100_000)}}`,
      ),
    status: 400,
    code: 'bad_json',
  },
  {
    name: 'a sign-up with a NUL in the user metadata',
    send: () => signUp(email(`meta-${randomUUID().slice(0, 8)}`), { display_name: 'a\u0000b' }),
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a password sign-in with a NUL in the email',
    send: async () => {
      const { error } = await anonClient().auth.signInWithPassword({
        email: 'a\u0000b@test.westwallet.app',
        password: 'x',
      });
      return { status: error?.status ?? 200, code: error?.code ?? null };
    },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'a magic link for a 300-character email',
    send: async () => {
      const { error } = await anonClient().auth.signInWithOtp({ email: email('b'.repeat(280)) });
      return { status: error?.status ?? 200, code: error?.code ?? null };
    },
    status: 400,
    code: 'validation_failed',
  },
  {
    name: 'malformed JSON to Auth',
    send: () => auth('/signup', '{"email":'),
    status: 400,
    code: 'bad_json',
  },
  {
    name: 'a JSON null to Auth',
    send: () => auth('/token?grant_type=password', 'null'),
    status: 400,
    code: 'bad_json',
  },
  {
    name: 'an Auth call with a token that is no JWT',
    send: () =>
      send('/auth/v1/user', { headers: { authorization: 'Bearer a.b.c' } }).then((r) => answer(r, 'error_code')),
    status: 403,
    code: 'bad_jwt',
  },
  // Storage (/storage/v1)
  {
    name: 'an expired signed URL',
    send: async () => {
      const { data, error } = await user.client.storage.from('attachments').createSignedUrl(filePath, 1);
      if (error) throw error;
      await sleep(2100);
      return answer(await fetch(data.signedUrl));
    },
    status: 400,
    code: 'InvalidJWT',
  },
  {
    name: 'a signed URL whose token was tampered with',
    send: async () => {
      const url = new URL(signedUrl);
      url.searchParams.set('token', `${url.searchParams.get('token')}x`);
      return answer(await fetch(url));
    },
    status: 400,
    code: 'InvalidJWT',
  },
  {
    name: "a signed URL's token used for another file",
    send: async () => {
      const url = new URL(signedUrl);
      url.pathname = url.pathname.replace(/[^/]+$/, 'other.pdf');
      return answer(await fetch(url));
    },
    status: 400,
    code: 'InvalidSignature',
  },
  {
    name: 'malformed JSON to Storage',
    send: () =>
      send('/storage/v1/object/list/attachments', { method: 'POST', body: '{"prefix":' }).then((r) => answer(r)),
    status: 400,
    code: 'InvalidRequest',
  },
  {
    name: 'a broken multipart upload',
    send: () =>
      send(`/storage/v1/object/attachments/${orgId}/broken.pdf`, {
        method: 'POST',
        body: '--boundary\r\nContent-Disposition: form-data; name="file"',
        headers: { 'content-type': 'multipart/form-data; boundary=boundary' },
      }).then((r) => answer(r)),
    status: 400,
    code: 'InvalidRequest',
  },
  {
    name: 'a Storage call with a token that is no JWT',
    send: () =>
      send(`/storage/v1/object/list/attachments`, {
        method: 'POST',
        body: JSON.stringify({ prefix: orgId }),
        headers: { authorization: 'Bearer a.b.c' },
      }).then((r) => answer(r)),
    status: 400,
    code: 'AccessDenied',
  },
];

beforeAll(async () => {
  user = await signUpUser('bad-input');
  const { data } = await user.client.auth.getSession();
  token = data.session?.access_token ?? '';
  orgId = await personalOrg(user);
  filePath = `${orgId}/${randomUUID()}/receipt.pdf`;
  const files = user.client.storage.from('attachments');
  const upload = await files.upload(filePath, new Blob(['%PDF-1.4 receipt'], { type: 'application/pdf' }));
  if (upload.error) throw upload.error;
  const signed = await files.createSignedUrl(filePath, 600);
  if (signed.error) throw signed.error;
  signedUrl = new URL(signed.data.signedUrl);
});

describe('bad input at the HTTP layer', () => {
  it.each(cases)('refuses $name with $status $code', async ({ send, status, code }) => {
    expect(await send()).toEqual({ status, code });
  });

  it('serves the next request on the connection of a body refused half read', async () => {
    for (let round = 0; round < 3; round++) {
      const refused = await postChunkedTags();
      expect(refused.status).toBe(413);
      await refused.text();
      const next = await send(`/rest/v1/organizations?select=id&id=eq.${orgId}`);
      expect(next.status).toBe(200);
      expect(await next.json()).toEqual([{ id: orgId }]);
    }
  });
});
