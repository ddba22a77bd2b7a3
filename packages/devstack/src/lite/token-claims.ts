import { decodeJwt } from 'jose';

/**
 * lite's Data API and Storage take any role a verified token names and set it as the request's
 * role: a token signed with the project's secret naming `postgres` runs as the superuser. On the
 * platform PostgREST's authenticator may become only anon, authenticated and service_role, so
 * such a token fails with 42501 (`permission denied to set role`); and the platform's tokens all
 * carry `exp`, which the stack requires too, so no token lives forever. Refused here before lite
 * sees them (the signature lite still checks).
 */

const API_ROLES = new Set(['anon', 'authenticated', 'service_role']);

/** The claims of a bearer JWT, unverified; null when the header holds no JWT (an API key, nothing). */
function bearerClaims(request: Request): Record<string, unknown> | null {
  const token = request.headers.get('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (token === undefined || token.split('.').length !== 3) return null;
  try {
    return decodeJwt(token);
  } catch {
    return null;
  }
}

/** A refusal of a token whose role the API does not serve or that never expires; null to go on. */
export function refuseUntrustedToken(request: Request, surface: 'rest' | 'storage'): Response | null {
  const claims = bearerClaims(request);
  if (!claims) return null;
  const role = typeof claims.role === 'string' ? claims.role : 'anon';
  let message: string | null = null;
  let code = 'PGRST303';
  if (!API_ROLES.has(role)) {
    code = '42501';
    message = `permission denied to set role "${role}"`;
  } else if (typeof claims.exp !== 'number') {
    message = 'JWT claims validation failed: the token has no exp claim';
  }
  if (message === null) return null;
  if (surface === 'storage') {
    return Response.json({ statusCode: '403', code: 'AccessDenied', error: 'Unauthorized', message }, { status: 400 });
  }
  return Response.json({ code, details: null, hint: null, message }, { status: 401 });
}
