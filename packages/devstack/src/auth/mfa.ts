import { randomBytes, randomUUID } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type postgres from 'postgres';
import QRCode from 'qrcode';
import { authError, type Claims, readJson } from './http.ts';
import { signAccessToken } from './sessions.ts';

/**
 * GoTrue's TOTP factors (/auth/v1/factors): enroll, challenge, verify, unenroll, with GoTrue's
 * answers and error codes. A verification raises the session to aal2 and records `totp` among
 * its amr claims; the caller re-signs the tokens it answers with (./sessions.ts).
 */

/** GoTrue's GOTRUE_MFA_CHALLENGE_EXPIRY_DURATION default, seconds. */
const CHALLENGE_EXPIRY = 300;

export interface MfaContext {
  sql: postgres.Sql;
  jwtSecret: string;
  jwtExpiry: number;
  /** Names the issuer of TOTP URIs when the client gives none (GoTrue: the site URL's host). */
  siteUrl: string;
}

export interface TokenAnswer {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  expires_at: number;
  refresh_token: string;
}

interface Caller {
  claims: Claims;
  userId: string;
  sessionId: string;
  ip: string;
}

export async function enroll(context: MfaContext, caller: Caller, request: Request): Promise<Response> {
  const body = (await readJson(request)) ?? {};
  if (body.factor_type === 'phone')
    return authError(422, 'mfa_phone_enroll_not_enabled', 'MFA enroll is disabled for Phone');
  if (body.factor_type === 'webauthn') {
    return authError(422, 'mfa_web_authn_enroll_not_enabled', 'MFA enroll is disabled for WebAuthn');
  }
  if (body.factor_type !== 'totp') {
    return authError(400, 'validation_failed', 'factor_type needs to be totp, phone, or webauthn');
  }
  const friendlyName = typeof body.friendly_name === 'string' ? body.friendly_name : '';
  const [user] = await context.sql<{ email: string | null; verified: number; named: boolean }[]>`
    select u.email,
      (select count(*)::int from auth.mfa_factors f where f.user_id = u.id and f.status = 'verified') as verified,
      exists (select from auth.mfa_factors f where f.user_id = u.id and f.friendly_name = ${friendlyName}
        and trim(${friendlyName}) <> '') as named
    from auth.users u where u.id = ${caller.userId}`;
  if (!user) return authError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
  if (user.named) {
    return authError(
      422,
      'mfa_factor_name_conflict',
      `A factor with the friendly name "${friendlyName}" for this user already exists`,
    );
  }
  if (user.verified > 0 && caller.claims.aal !== 'aal2') {
    return authError(403, 'insufficient_aal', 'AAL2 required to enroll a new factor');
  }
  const issuer = typeof body.issuer === 'string' && body.issuer !== '' ? body.issuer : new URL(context.siteUrl).host;
  const totp = new TOTP({ issuer, label: user.email ?? caller.userId, secret: new Secret({ size: 20 }) });
  const uri = totp.toString();
  const qrCode = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M' });
  const id = randomUUID();
  await context.sql`
    insert into auth.mfa_factors (id, user_id, friendly_name, factor_type, status, secret)
    values (${id}, ${caller.userId}, ${friendlyName}, 'totp', 'unverified', ${totp.secret.base32})`;
  return Response.json({
    id,
    type: 'totp',
    friendly_name: friendlyName,
    totp: { qr_code: qrCode, secret: totp.secret.base32, uri },
  });
}

async function ownFactor(context: MfaContext, caller: Caller, factorId: string) {
  const [factor] = await context.sql<{ id: string; status: string; secret: string; factor_type: string }[]>`
    select id, status, secret, factor_type from auth.mfa_factors
    where id::text = ${factorId} and user_id = ${caller.userId}`;
  return factor ?? null;
}

const factorNotFound = () => authError(404, 'mfa_factor_not_found', 'Factor not found');

export async function challenge(context: MfaContext, caller: Caller, factorId: string): Promise<Response> {
  const factor = await ownFactor(context, caller, factorId);
  if (!factor) return factorNotFound();
  const id = randomUUID();
  const [row] = await context.sql<{ expires_at: number }[]>`
    with c as (
      insert into auth.mfa_challenges (id, factor_id, ip_address) values (${id}, ${factor.id}, ${caller.ip}::inet)
      returning created_at
    ), touched as (
      update auth.mfa_factors set last_challenged_at = clock_timestamp() where id = ${factor.id}
    )
    select extract(epoch from created_at)::bigint + ${CHALLENGE_EXPIRY} as expires_at from c`;
  return Response.json({ id, type: factor.factor_type, expires_at: Number(row?.expires_at) });
}

/** Verifies a TOTP code against a challenge; on success the session's new tokens, else GoTrue's refusal. */
export async function verify(
  context: MfaContext,
  caller: Caller,
  factorId: string,
  request: Request,
): Promise<Response | TokenAnswer> {
  const factor = await ownFactor(context, caller, factorId);
  if (!factor) return factorNotFound();
  const body = (await readJson(request)) ?? {};
  const code = typeof body.code === 'string' ? body.code.trim() : '';
  if (code === '') return authError(400, 'validation_failed', 'Code needs to be non-empty');
  const [found] = await context.sql<{ expired: boolean; ip: string }[]>`
    select created_at + make_interval(secs => ${CHALLENGE_EXPIRY}) < now() as expired, host(ip_address) as ip
    from auth.mfa_challenges
    where id::text = ${String(body.challenge_id ?? '')} and factor_id = ${factor.id} and verified_at is null`;
  if (!found) return authError(422, 'mfa_factor_not_found', 'MFA factor with the provided challenge ID not found');
  if (found.ip !== caller.ip)
    return authError(422, 'mfa_ip_address_mismatch', 'Challenge and verify IP addresses mismatch.');
  if (found.expired) {
    return authError(
      422,
      'mfa_challenge_expired',
      `MFA challenge ${String(body.challenge_id)} has expired, verify against another challenge or create a new challenge.`,
    );
  }
  const totp = new TOTP({ secret: Secret.fromBase32(factor.secret) });
  if (totp.validate({ token: code, window: 1 }) === null) {
    return authError(422, 'mfa_verification_failed', 'Invalid TOTP code entered');
  }
  const refreshToken = randomBytes(9).toString('base64url');
  await context.sql.begin(async (tx) => {
    await tx`update auth.mfa_challenges set verified_at = now() where id::text = ${String(body.challenge_id)}`;
    await tx`update auth.mfa_factors set status = 'verified', updated_at = now() where id = ${factor.id}`;
    await tx`update auth.sessions set aal = 'aal2', factor_id = ${factor.id}, updated_at = now() where id = ${caller.sessionId}`;
    await tx`insert into auth.mfa_amr_claims (session_id, authentication_method) values (${caller.sessionId}, 'totp')
      on conflict (session_id, authentication_method) do update set updated_at = now()`;
    // The session's earlier refresh tokens would hand out aal1 tokens' successors: GoTrue issues
    // the session a new one.
    await tx`update auth.refresh_tokens set revoked = true, updated_at = now() where session_id = ${caller.sessionId} and not revoked`;
    await tx`insert into auth.refresh_tokens (id, token, user_id, session_id) values (${randomUUID()}, ${refreshToken}, ${caller.userId}, ${caller.sessionId})`;
  });
  const now = Math.floor(Date.now() / 1000);
  const { sub, aud, role, email, session_id } = caller.claims;
  const accessToken = await signAccessToken(context.jwtSecret, {
    sub,
    aud,
    role,
    email,
    session_id,
    iat: now,
    exp: now + context.jwtExpiry,
  });
  return {
    access_token: accessToken,
    token_type: 'bearer',
    expires_in: context.jwtExpiry,
    expires_at: now + context.jwtExpiry,
    refresh_token: refreshToken,
  };
}

export async function unenroll(context: MfaContext, caller: Caller, factorId: string): Promise<Response> {
  const factor = await ownFactor(context, caller, factorId);
  if (!factor) return factorNotFound();
  if (factor.status === 'verified' && caller.claims.aal !== 'aal2') {
    return authError(422, 'insufficient_aal', 'AAL2 required to unenroll verified factor');
  }
  await context.sql.begin(async (tx) => {
    await tx`update auth.sessions set aal = 'aal1', factor_id = null where factor_id = ${factor.id}`;
    await tx`delete from auth.mfa_factors where id = ${factor.id}`;
  });
  return Response.json({ id: factor.id });
}
