import { AppError } from '@westwallet/shared';
import { z } from 'zod';

export interface AuthUser {
  id: string;
  email: string | null;
  /** The session's assurance level (`aal1`, `aal2` after a second factor), for organizations that require MFA. */
  aal?: string;
}

const userSchema = z.object({ id: z.uuid(), email: z.string().nullish() });

/**
 * The signed-in user behind the request's `Authorization: Bearer <access token>`, checked by Auth
 * itself (`GET /auth/v1/user`, what supabase-js's `auth.getUser(token)` does), or UNAUTHORIZED.
 */
export async function requireUser(request: Request): Promise<AuthUser> {
  const token = request.headers.get('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const url = Deno.env.get('SUPABASE_URL');
  const apiKey = Deno.env.get('SUPABASE_ANON_KEY') ?? Deno.env.get('SUPABASE_PUBLISHABLE_KEY');
  // An API key is not a user's token.
  if (!token || !url || !apiKey || token.startsWith('sb_') || token === apiKey) {
    throw new AppError('UNAUTHORIZED', 'Sign in first.');
  }
  const response = await fetch(`${url}/auth/v1/user`, {
    headers: { authorization: `Bearer ${token}`, apikey: apiKey },
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new AppError('UNAUTHORIZED', 'The session is not valid; sign in again.');
  }
  const user = userSchema.parse(await response.json());
  return { id: user.id, email: user.email ?? null, aal: assuranceLevel(token) };
}

/**
 * The `aal` claim of a token Auth has just accepted (so its claims are genuine); GoTrue's user
 * endpoint does not answer it.
 */
function assuranceLevel(token: string): string | undefined {
  try {
    const payload = token.split('.')[1].replaceAll('-', '+').replaceAll('_', '/');
    const aal = JSON.parse(atob(payload)).aal;
    return typeof aal === 'string' ? aal : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the request carries the project's secret key (`Authorization: Bearer <key>` or
 * `apikey: <key>`), as internal callers and operators send it. The local stack sets both names; a
 * hosted project sets SUPABASE_SERVICE_ROLE_KEY.
 */
export async function hasSecretKey(request: Request): Promise<boolean> {
  const keys = [Deno.env.get('SUPABASE_SECRET_KEY'), Deno.env.get('SUPABASE_SERVICE_ROLE_KEY')].filter(
    (key): key is string => Boolean(key),
  );
  const given = [request.headers.get('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1], request.headers.get('apikey')];
  for (const candidate of given) {
    if (!candidate) continue;
    for (const key of keys) if (await sameSecret(candidate, key)) return true;
  }
  return false;
}

/** Compares digests, so the time taken says nothing about how much of a guess was right. */
async function sameSecret(given: string, key: string): Promise<boolean> {
  const digest = async (text: string) =>
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  const [a, b] = await Promise.all([digest(given), digest(key)]);
  return a.every((byte, i) => byte === b[i]);
}
