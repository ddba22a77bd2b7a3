import { isIP } from 'node:net';
import { decodeJwt, SignJWT } from 'jose';
import type postgres from 'postgres';
import { authError } from './http.ts';

/**
 * What GoTrue puts in sessions and tokens beyond what lite does: the session's user agent and IP,
 * the `aal` and `amr` claims (from auth.sessions.aal and auth.mfa_amr_claims), the user's
 * metadata and `is_anonymous` in the access token, the user's MFA factors in the user object;
 * and GoTrue's refresh token reuse interval.
 */

export interface SessionContext {
  sql: postgres.Sql;
  jwtSecret: string;
  /** `[auth] refresh_token_reuse_interval`, seconds. */
  reuseInterval: number;
  rotation: boolean;
}

/** How a session was authenticated, as GoTrue's amr claim names it. */
export type AuthMethod = 'password' | 'otp' | 'totp' | 'oauth';

/** The IP GoTrue records for a request: the forwarded client's, else the peer's. */
export function clientIp(request: Request, peerAddress: string | null): string | null {
  const forwarded = request.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  const ip = forwarded || peerAddress;
  return ip && isIP(ip) ? ip : null;
}

interface Factor {
  id: string;
  friendly_name: string | null;
  factor_type: string;
  status: string;
  created_at: string;
  updated_at: string;
}

/** The user's factors as GoTrue lists them in the user object (left out when there are none). */
export async function factorsOf(sql: postgres.Sql, userId: string): Promise<Factor[]> {
  return sql<Factor[]>`
    select id, coalesce(friendly_name, '') as friendly_name, factor_type, status, created_at, updated_at
    from auth.mfa_factors where user_id = ${userId} order by created_at`;
}

export async function withFactors(sql: postgres.Sql, user: Record<string, unknown>): Promise<Record<string, unknown>> {
  if (typeof user.id !== 'string') return user;
  const factors = await factorsOf(sql, user.id);
  return factors.length > 0 ? { ...user, factors } : user;
}

interface SessionResponse {
  access_token: string;
  user?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * Re-signs lite's access token with GoTrue's claims, records the session's user agent and IP on
 * its first token, and the way it was authenticated (`method`, none for a refresh).
 */
export async function completeSession(
  context: SessionContext,
  session: SessionResponse,
  details: { method: AuthMethod | null; userAgent: string | null; ip: string | null; issuer: string },
): Promise<SessionResponse> {
  const claims = decodeJwt(session.access_token);
  const sessionId = typeof claims.session_id === 'string' ? claims.session_id : null;
  if (!sessionId) return session;
  const [state] = await context.sql<{ aal: string | null; amr: { method: string; timestamp: number }[] | null }[]>`
    with s as (
      update auth.sessions set user_agent = coalesce(user_agent, ${details.userAgent}),
        ip = coalesce(ip, ${details.ip}::inet), updated_at = now()
      where id = ${sessionId} returning id, aal
    ), added as (
      insert into auth.mfa_amr_claims (session_id, authentication_method)
      select id, ${details.method} from s where ${details.method}::text is not null
      on conflict (session_id, authentication_method) do nothing
      returning authentication_method, created_at
    )
    select (select aal from s) as aal,
      (select json_agg(json_build_object('method', m, 'timestamp', extract(epoch from t)::bigint) order by t desc)
       from (select authentication_method as m, created_at as t from auth.mfa_amr_claims where session_id = ${sessionId}
             union all select authentication_method, created_at from added) claims) as amr`;
  const user = session.user ? await withFactors(context.sql, session.user) : undefined;
  const accessToken = await signAccessToken(context.jwtSecret, {
    ...claims,
    iss: details.issuer,
    phone: user?.phone ?? '',
    app_metadata: user?.app_metadata ?? {},
    user_metadata: user?.user_metadata ?? {},
    aal: state?.aal ?? 'aal1',
    amr: state?.amr ?? [],
    is_anonymous: false,
  });
  return { ...session, access_token: accessToken, ...(user ? { user } : {}) };
}

export async function signAccessToken(jwtSecret: string, claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(new TextEncoder().encode(jwtSecret));
}

/**
 * GoTrue lets a rotated refresh token be used again only within the reuse interval (the client
 * may have lost the answer); after it, the reuse is taken for theft: every token of the session
 * is revoked and the answer is 400 refresh_token_already_used. lite returns the active token for
 * any reuse of the last rotated one, however late. Null when lite may answer.
 */
export async function refuseLateReuse(context: SessionContext, refreshToken: unknown): Promise<Response | null> {
  if (!context.rotation || typeof refreshToken !== 'string' || refreshToken === '') return null;
  const [token] = await context.sql<{ session_id: string | null; late: boolean }[]>`
    select session_id, updated_at + make_interval(secs => ${context.reuseInterval}) < now() as late
    from auth.refresh_tokens where token = ${refreshToken} and revoked`;
  if (!token?.late) return null;
  if (token.session_id) {
    await context.sql`update auth.refresh_tokens set revoked = true, updated_at = now()
      where session_id = ${token.session_id} and not revoked`;
  }
  return authError(400, 'refresh_token_already_used', 'Invalid Refresh Token: Already Used');
}
