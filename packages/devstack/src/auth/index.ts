import type postgres from 'postgres';
import { type AdminContext, serveAdmin } from './admin.ts';
import { authError, bearerClaims, isAnswer, readJson } from './http.ts';
import { challenge, enroll, unenroll, verify } from './mfa.ts';
import { createRateLimiter, type LimitName, type RateLimitConfig } from './rate-limits.ts';
import { type AuthMethod, clientIp, completeSession, refuseLateReuse, withFactors } from './sessions.ts';

/**
 * Auth beyond @supabase/lite, in front of it for /auth/v1: what supabase-js's auth client uses and
 * lite lacks or answers otherwise than GoTrue (the admin API, MFA, sessions' details and claims,
 * refresh token reuse, rate limits). Everything else goes to lite unchanged. lite/index.ts lists
 * each difference among lite's mends.
 */

const PREFIX = '/auth/v1';
/** The platform's gateway refuses the secret key from a browser (lite's rule, the same). */
const BROWSER = /^\s*Mozilla\s*\/\s*5\s*\.\s*0/i;
/** The routes the platform's gateway serves without an API key. */
const KEYLESS = new Set(['/verify', '/callback', '/authorize']);

export interface AuthFrontOptions {
  sql: postgres.Sql;
  keys: { publishableKey: string; secretKey: string; jwtSecret: string };
  auth: {
    site_url?: string;
    jwt_expiry?: number;
    enable_refresh_token_rotation?: boolean;
    refresh_token_reuse_interval?: number;
    minimum_password_length?: number;
    email?: { enable_confirmations?: boolean; otp_length?: number };
  };
  rateLimits: RateLimitConfig;
  /** Mails an invitation with the project's template, as Auth's other mails are. */
  sendInvite: AdminContext['sendInvite'];
  /** Hands a request to lite. */
  send(request: Request): Promise<Response>;
}

export interface AuthFront {
  /** Whether the path is Auth's. */
  handles(pathname: string): boolean;
  serve(request: Request, peerAddress: string | null): Promise<Response>;
}

/** The IP-limited routes (POST unless said), as GoTrue's router applies its limiters. */
const LIMITED: Record<string, Exclude<LimitName, 'email'>> = {
  '/signup': 'signup',
  '/recover': 'recover',
  '/resend': 'resend',
  '/magiclink': 'magiclink',
  '/otp': 'otp',
  '/token': 'token',
  '/verify': 'verify',
};

/** The routes that send the user an email, for the email limit. */
function sendsEmail(route: string, method: string, body: Record<string, unknown> | null, confirmations: boolean) {
  if (method !== 'POST' && !(route === '/user' && method === 'PUT')) return false;
  if (route === '/signup') return confirmations;
  if (route === '/user') return typeof body?.email === 'string';
  return ['/recover', '/resend', '/magiclink', '/otp', '/invite'].includes(route);
}

export function createAuthFront(options: AuthFrontOptions): AuthFront {
  const { sql, keys, auth } = options;
  const siteUrl = auth.site_url ?? 'http://127.0.0.1:3000';
  const jwtExpiry = auth.jwt_expiry ?? 3600;
  const confirmations = auth.email?.enable_confirmations ?? false;
  const limiter = createRateLimiter(options.rateLimits);
  const sessions = {
    sql,
    jwtSecret: keys.jwtSecret,
    reuseInterval: auth.refresh_token_reuse_interval ?? 10,
    rotation: auth.enable_refresh_token_rotation ?? true,
  };
  const mfa = { sql, jwtSecret: keys.jwtSecret, jwtExpiry, siteUrl };

  const apiKeyOf = (request: Request) =>
    request.headers.get('apikey') ?? new URL(request.url).searchParams.get('apikey');

  /** GoTrue's requireAdminCredentials: a service_role bearer (the gateway's reading of the secret key). */
  const adminRefusal = async (request: Request): Promise<Response | null> => {
    const bearer = request.headers.get('authorization')?.match(/^Bearer\s+(.+)$/i)?.[1];
    if (bearer === keys.secretKey || (!bearer && apiKeyOf(request) === keys.secretKey)) return null;
    if (!bearer) return authError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
    if (bearer === keys.publishableKey) return authError(403, 'not_admin', 'User not allowed');
    const claims = await bearerClaims(request, keys.jwtSecret);
    if (isAnswer(claims)) return claims;
    return claims.role === 'service_role' ? null : authError(403, 'not_admin', 'User not allowed');
  };

  /** The signed-in caller of a /factors route: a valid token of an existing session. */
  const caller = async (request: Request, peerAddress: string | null) => {
    const claims = await bearerClaims(request, keys.jwtSecret);
    if (isAnswer(claims)) return claims;
    const [session] = await sql`select 1 from auth.sessions where id::text = ${String(claims.session_id ?? '')}`;
    if (!session) return authError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
    return {
      claims,
      userId: String(claims.sub),
      sessionId: String(claims.session_id),
      ip: clientIp(request, peerAddress) ?? '0.0.0.0',
    };
  };

  const serveFactors = async (request: Request, route: string, peerAddress: string | null, client: string | null) => {
    const who = await caller(request, peerAddress);
    if (isAnswer(who)) return who;
    if (route === '/factors' && request.method === 'POST') return enroll(mfa, who, request);
    const match = route.match(/^\/factors\/([^/]+)(\/challenge|\/verify)?\/?$/);
    if (!match) return null;
    const [, factorId = '', action] = match;
    if (action === '/challenge' && request.method === 'POST') {
      return limiter.take('factor_challenge', client) ?? challenge(mfa, who, factorId);
    }
    if (action === '/verify' && request.method === 'POST') {
      const limited = limiter.take('factor_verify', client);
      if (limited) return limited;
      const answer = await verify(mfa, who, factorId, request);
      if (isAnswer(answer)) return answer;
      // The user object as lite answers it for the new token, completed as GoTrue's.
      const user = (await (await fetchUser(request, answer.access_token)).json()) as Record<string, unknown>;
      return Response.json(
        await completeSession(
          sessions,
          { ...answer, user },
          {
            method: null,
            userAgent: request.headers.get('user-agent'),
            ip: who.ip,
            issuer: issuerOf(request),
          },
        ),
      );
    }
    if (!action && request.method === 'DELETE') return unenroll(mfa, who, factorId);
    return null;
  };

  const send = options.send;
  const fetchUser = (request: Request, accessToken: string) =>
    send(
      new Request(new URL(`${PREFIX}/user`, request.url), {
        headers: { apikey: apiKeyOf(request) ?? keys.publishableKey, authorization: `Bearer ${accessToken}` },
      }),
    );
  const issuerOf = (request: Request) => `${new URL(request.url).origin}${PREFIX}`;

  /** Completes the session in an answer of lite's that starts one (JSON, or a /verify redirect). */
  const completeAnswer = async (
    request: Request,
    answer: Response,
    method: AuthMethod | null,
    peerAddress: string | null,
  ): Promise<Response> => {
    const details = {
      method,
      userAgent: request.headers.get('user-agent'),
      ip: clientIp(request, peerAddress),
      issuer: issuerOf(request),
    };
    const location = answer.headers.get('location');
    if (location?.includes('access_token=')) {
      const url = new URL(location);
      const fragment = new URLSearchParams(url.hash.slice(1));
      const accessToken = fragment.get('access_token') as string;
      const user = (await (await fetchUser(request, accessToken)).json()) as Record<string, unknown>;
      const completed = await completeSession(sessions, { access_token: accessToken, user }, details);
      fragment.set('access_token', completed.access_token);
      url.hash = fragment.toString();
      const headers = new Headers(answer.headers);
      headers.set('location', url.toString());
      return new Response(null, { status: answer.status, headers });
    }
    if (!answer.ok || !answer.headers.get('content-type')?.includes('json')) return answer;
    const body = (await answer.clone().json()) as Record<string, unknown>;
    const headers = new Headers(answer.headers);
    headers.delete('content-length');
    if (typeof body.access_token === 'string') {
      const completed = await completeSession(sessions, body as { access_token: string }, details);
      return new Response(JSON.stringify(completed), { status: answer.status, headers });
    }
    if (typeof body.id === 'string' && typeof body.aud === 'string') {
      return new Response(JSON.stringify(await withFactors(sql, body)), { status: answer.status, headers });
    }
    return answer;
  };

  return {
    handles: (pathname) => pathname === PREFIX || pathname.startsWith(`${PREFIX}/`),
    serve: async (request, peerAddress) => {
      const url = new URL(request.url);
      const route = url.pathname.slice(PREFIX.length).replace(/\/+$/, '') || '/';
      const method = request.method;
      if (method === 'OPTIONS') return send(request);
      const key = apiKeyOf(request);
      // Without a valid API key, or with the secret key from a browser, lite answers 401 as the
      // platform's gateway does; links in emails (/verify, /callback, /authorize) need none.
      const keyless = KEYLESS.has(route);
      if (!keyless && key !== keys.publishableKey && key !== keys.secretKey) return send(request);
      if (key === keys.secretKey && BROWSER.test(request.headers.get('user-agent') ?? '')) return send(request);
      const client = limiter.clientOf(request, peerAddress);

      if (route === '/invite' || route.startsWith('/admin/')) {
        const refusal = await adminRefusal(request);
        if (refusal) return refusal;
        if (route === '/invite') {
          const limited = limiter.checkEmail(client);
          if (limited) return limited;
        }
        const answer = await serveAdmin(
          {
            sql,
            apiUrl: url.origin,
            siteUrl,
            minimumPasswordLength: auth.minimum_password_length ?? 6,
            otpLength: auth.email?.otp_length ?? 6,
            sendInvite: options.sendInvite,
          },
          request,
          route,
        );
        if (answer && route === '/invite' && answer.ok) limiter.countEmail(client);
        return answer ?? authError(404, 'not_found', 'Not found');
      }
      if (route === '/factors' || route.startsWith('/factors/')) {
        return (
          (await serveFactors(request, route, peerAddress, client)) ??
          authError(405, 'method_not_allowed', 'Method not allowed')
        );
      }

      const limit = LIMITED[route];
      if (limit && (method === 'POST' || route === '/verify')) {
        const limited = limiter.take(limit, client);
        if (limited) return limited;
      }
      if (route === '/user' && method === 'PUT') {
        const limited = limiter.take('user', client);
        if (limited) return limited;
      }
      const body = method === 'POST' || method === 'PUT' ? await readJson(request) : null;
      const mails = sendsEmail(route, method, body, confirmations);
      if (mails) {
        const limited = limiter.checkEmail(client);
        if (limited) return limited;
      }

      let forwarded = request;
      let authMethod: AuthMethod | null = null;
      let verifiedAs: string | null = null;
      if (route === '/token') {
        const grant = url.searchParams.get('grant_type');
        if (grant === 'refresh_token') {
          const refused = await refuseLateReuse(sessions, body?.refresh_token);
          if (refused) return refused;
        }
        authMethod = grant === 'password' ? 'password' : grant === 'pkce' ? 'oauth' : null;
      } else if (route === '/verify') {
        authMethod = 'otp';
        // GoTrue verifies invite links as type=invite and email codes as type=email; lite knows
        // both codes as a magic link's (in confirmation_token or recovery_token).
        const asMagicLink = (type: unknown) => type === 'invite' || type === 'email';
        if (asMagicLink(url.searchParams.get('type'))) {
          verifiedAs = url.searchParams.get('type');
          url.searchParams.set('type', 'magiclink');
          forwarded = new Request(url, { method: request.method, headers: request.headers });
        } else if (asMagicLink(body?.type)) {
          forwarded = new Request(request, { body: JSON.stringify({ ...body, type: 'magiclink' }) });
        }
      } else if (route === '/signup') {
        authMethod = 'password';
      }

      const answer = verifiedAs ? linkTypeRestored(await send(forwarded), verifiedAs) : await send(forwarded);
      if (mails && answer.ok) limiter.countEmail(client);
      if (route === '/signup' && confirmations && answer.status === 429) {
        // lite refuses a sign-up of a registered address with 429 when confirmations are on: GoTrue
        // answers as for a new address, so the answer does not tell which addresses exist.
        return Response.json(obfuscatedUser(body));
      }
      return completeAnswer(request, answer, authMethod, peerAddress);
    },
  };
}

/**
 * A followed link's redirect names the link's own type in its fragment (`type=invite`, which an
 * app reads to ask the invitee for a password), not the magic link lite verified it as.
 */
function linkTypeRestored(answer: Response, type: string): Response {
  const location = answer.headers.get('location');
  if (!location?.includes('#')) return answer;
  const url = new URL(location);
  const fragment = new URLSearchParams(url.hash.slice(1));
  if (fragment.get('type') !== 'magiclink') return answer;
  fragment.set('type', type);
  url.hash = fragment.toString();
  const headers = new Headers(answer.headers);
  headers.set('location', url.toString());
  return new Response(answer.body, { status: answer.status, statusText: answer.statusText, headers });
}

/** GoTrue's answer to a sign-up of an address already registered, while confirmations are on. */
function obfuscatedUser(body: Record<string, unknown> | null) {
  const now = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    aud: 'authenticated',
    role: 'authenticated',
    email: typeof body?.email === 'string' ? body.email.toLowerCase() : '',
    phone: '',
    confirmation_sent_at: now,
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: {},
    identities: [],
    created_at: now,
    updated_at: now,
    is_anonymous: false,
  };
}
