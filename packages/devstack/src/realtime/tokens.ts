import { errors, jwtVerify } from 'jose';
import type { StackKeys } from '../keys.ts';

/** What a verified token says: at least `role` and `exp`, as the platform requires. */
export type Claims = Record<string, unknown> & { role: string; exp?: number; sub?: string };

/** A refusal: Realtime's error code (`InvalidJWTToken`, ...) and message. */
export interface TokenRefusal {
  ok: false;
  code: string;
  message: string;
}

export type TokenCheck = { ok: true; claims: Claims } | TokenRefusal;

const refuse = (code: string, message: string): TokenRefusal => ({ ok: false, code, message });

/** How far ahead an opaque API key's stand-in claims expire; they are re-made on each check. */
const API_KEY_LIFETIME_S = 3600;

/**
 * Verifies tokens as the platform's gateway and Realtime together do: the opaque API keys stand
 * for the `anon` and `service_role` roles (the gateway swaps them for JWTs before Realtime sees
 * them), anything else must be a JWT signed with the project's secret, with `role` and `exp`.
 * The messages are Realtime's own.
 */
export function tokenVerifier(keys: StackKeys) {
  const secret = new TextEncoder().encode(keys.jwtSecret);
  const apiKeyRole = (token: string) =>
    token === keys.publishableKey ? 'anon' : token === keys.secretKey ? 'service_role' : undefined;

  return {
    async verify(token: unknown): Promise<TokenCheck> {
      if (typeof token !== 'string' || token === '') return refuse('MissingAPIKey', 'API key is missing');
      const role = apiKeyRole(token);
      if (role) return { ok: true, claims: { role, exp: Math.floor(Date.now() / 1000) + API_KEY_LIFETIME_S } };
      if (token.startsWith('sb_')) return refuse('InvalidAPIKey', 'Invalid API key');
      try {
        const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
        if (typeof payload.role !== 'string' || typeof payload.exp !== 'number') {
          return refuse('InvalidJWTToken', 'Fields `role` and `exp` are required in JWT');
        }
        return { ok: true, claims: payload as Claims };
      } catch (error) {
        if (error instanceof errors.JWTExpired) return refuse('InvalidJWTToken', 'Token has expired');
        if (error instanceof errors.JWSSignatureVerificationFailed) {
          return refuse('JwtSignatureError', 'Failed to validate JWT signature');
        }
        return refuse('MalformedJWT', 'The token provided is not a valid JWT');
      }
    },
  };
}

export type TokenVerifier = ReturnType<typeof tokenVerifier>;
