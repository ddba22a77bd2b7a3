import type { Readable } from 'node:stream';

/**
 * Limits on what a request to the Data API (/rest/v1) or Auth (/auth/v1) may carry, checked at
 * the gateway before lite reads it. lite has none of its own, and what goes past them fails
 * inside it as a 500: a body too many values long overflows its driver's parameters, JSON or a
 * `select`/`and`/`or` nested hundreds deep overflows Node's stack where lite walks it, a path
 * that is not valid percent-encoding throws where lite decodes it, and text Postgres cannot hold
 * (a NUL) or does not fit (a long email) fails in SQL. Each refusal is a 4xx in the API's own
 * error shape with a stable code.
 */

/**
 * PostgREST sets no limit of its own; 5 MiB is thousands of rows, more than a page of the app
 * ever writes at once. Imports go through Storage and functions, not one Data API request.
 */
const DATA_API_MAX_BYTES = 5 * 1024 * 1024;
/** GoTrue's own limit (`limitRequestBody(1 << 20)` in its router): sign-up metadata included. */
const AUTH_MAX_BYTES = 1024 * 1024;
/**
 * Far deeper than any document of ours and far below where lite overflows (a few thousand) or
 * Postgres refuses a jsonb value (stack depth, tens of thousands).
 */
const MAX_JSON_DEPTH = 1000;
/**
 * Parentheses in a Data API query string (embedded `select`s, `and`/`or` trees): far more than
 * any query of ours, and below the few hundred where lite's parsers overflow.
 */
const MAX_QUERY_DEPTH = 100;
/** GoTrue refuses a longer address (`validateEmail`). */
const MAX_EMAIL_LENGTH = 255;
/** Auth routes whose email GoTrue validates before using it. */
const EMAIL_VALIDATED = /^\/auth\/v1\/(signup|otp|magiclink|recover|resend|invite|user|admin\/users(\/[^/]+)?)$/;

interface Api {
  maxBytes: number;
  refuse(status: number, code: string, message: string): Response;
}

/** PostgREST's error shape: `{ code, message, details, hint }`. */
const dataApi: Api = {
  maxBytes: DATA_API_MAX_BYTES,
  refuse: (status, code, message) => Response.json({ code, message, details: null, hint: null }, { status }),
};

/** GoTrue's error shape: `{ code, error_code, msg }`. */
const auth: Api = {
  maxBytes: AUTH_MAX_BYTES,
  refuse: (status, code, message) => Response.json({ code: status, error_code: code, msg: message }, { status }),
};

/**
 * The request with its body read, or the answer refusing it. The body is read from `incoming`,
 * the stream the server received: asking @hono/node-server's light Request for its `body` would
 * build the full WHATWG Request it stands for (headers copied, an AbortController, a web stream
 * over `incoming`) only to read the same bytes: 0.04 ms of a write's CPU in profiles.
 */
export async function checkRequestLimits(request: Request, incoming: Readable): Promise<Request | Response> {
  const { pathname, search } = new URL(request.url);
  const api = pathname.startsWith('/rest/v1/') ? dataApi : pathname.startsWith('/auth/v1/') ? auth : undefined;
  if (!api) return request;
  const path = decoded(pathname);
  const query = decoded(search.replaceAll('+', ' '));
  if (path === undefined || query === undefined) {
    const code = api === auth ? 'validation_failed' : 'MALFORMED_URL';
    return api.refuse(400, code, 'The URL is not valid percent-encoding');
  }
  if (api === dataApi && parenthesesExceed(query, MAX_QUERY_DEPTH)) {
    return api.refuse(400, 'PGRST100', `The query string nests parentheses deeper than ${MAX_QUERY_DEPTH} levels`);
  }
  // A GET or HEAD has no body (@hono/node-server gives it none).
  if (request.method === 'GET' || request.method === 'HEAD') return request;
  const body = await readAtMost(request, incoming, api.maxBytes);
  if (!body) {
    const code = api === auth ? 'request_entity_too_large' : 'PAYLOAD_TOO_LARGE';
    return api.refuse(413, code, `Request body too large (max ${api.maxBytes} bytes)`);
  }
  const type = request.headers.get('content-type') ?? 'application/json';
  if (type.includes('json') && jsonDepthExceeds(body, MAX_JSON_DEPTH)) {
    // GoTrue answers JSON nested deeper than Go's decoder takes as `bad_json`.
    if (api === auth) return api.refuse(400, 'bad_json', `Could not parse request body as JSON: exceeded max depth`);
    return api.refuse(413, 'JSON_TOO_DEEP', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  if (api === auth && type.includes('json')) {
    const refusal = checkAuthBody(pathname, body);
    if (refusal) return refusal;
  }
  const headers = new Headers(request.headers);
  headers.delete('transfer-encoding');
  headers.set('content-length', String(body.length));
  return new Request(request.url, { method: request.method, headers, body });
}

/**
 * lite answers a Data API write that binds more values than its driver's 65,534 parameters
 * (about 50,000 rows of a table with a few columns, well under the size limit for narrow rows)
 * with a 500 `SUP`. PostgREST sends the whole body as one parameter and has no such limit;
 * locally the write is refused as too large.
 */
export async function mendTooManyValues(request: Request, response: Response): Promise<Response> {
  if (response.status !== 500 || !new URL(request.url).pathname.startsWith('/rest/v1/')) return response;
  const { message } = (await response.clone().json()) as { message?: string };
  if (!message?.includes('MAX_PARAMETERS_EXCEEDED')) return response;
  return dataApi.refuse(413, 'PAYLOAD_TOO_LARGE', 'Too many values in one request; write fewer rows at a time');
}

/** The body, or undefined once it is longer than `limit`, without keeping more than that. */
async function readAtMost(
  request: Request,
  incoming: Readable,
  limit: number,
): Promise<Uint8Array<ArrayBuffer> | undefined> {
  if (Number(request.headers.get('content-length') ?? 0) > limit) return undefined;
  const chunks: Uint8Array[] = [];
  let length = 0;
  // Past the limit the rest is read and dropped, as Node drops a body nobody read: destroying the
  // stream would reset the connection under the refusal, and leaving it paused would stall the
  // next request the client sends on the same connection.
  for await (const chunk of incoming.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>) {
    length += chunk.length;
    if (length > limit) {
      incoming.resume();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, length);
}

function decoded(text: string): string | undefined {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function parenthesesExceed(text: string, limit: number): boolean {
  let depth = 0;
  for (const char of text) {
    if (char === '(' && ++depth > limit) return true;
    if (char === ')') depth--;
  }
  return false;
}

/** Whether brackets outside strings nest deeper than `limit`, in one pass without recursion. */
function jsonDepthExceeds(body: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === 0x5c)
        i++; // a backslash escapes the next character
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > limit) return true;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return false;
}

/**
 * Postgres text and jsonb cannot hold a NUL, so lite failed with a 500 where it wrote one (an
 * email, user metadata); GoTrue refuses an email with control characters or over 255 characters
 * as `validation_failed`, where lite's 255-character column failed with a 500.
 */
function checkAuthBody(pathname: string, body: Uint8Array): Response | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    return undefined; // lite answers malformed JSON as GoTrue does (400 bad_json)
  }
  // GoTrue decodes every body into a struct; lite failed with a 500 on `null`.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return auth.refuse(400, 'bad_json', 'Could not parse request body as JSON: not an object');
  }
  const email = (value as { email?: unknown }).email;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: GoTrue's email format has none
  if (typeof email === 'string' && /[\u0000-\u001f\u007f]/.test(email)) {
    return auth.refuse(400, 'validation_failed', 'Unable to validate email address: invalid format');
  }
  if (typeof email === 'string' && email.length > MAX_EMAIL_LENGTH && EMAIL_VALIDATED.test(pathname)) {
    return auth.refuse(400, 'validation_failed', 'An email address is too long');
  }
  if (holdsNul(value)) return auth.refuse(400, 'validation_failed', 'Text may not contain NUL characters');
  return undefined;
}

/** Recursion is bounded: the body passed the depth limit. */
function holdsNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => k.includes('\u0000') || holdsNul(v));
  return false;
}
