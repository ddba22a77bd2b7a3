import { AppError } from '@westwallet/shared';
import { z } from 'zod';

export interface AuthUser {
  id: string;
  email: string | null;
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
  return { id: user.id, email: user.email ?? null };
}
