import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { serviceClient, signUpUser } from '../helpers/clients.ts';
import { target } from '../helpers/target.ts';

/** A token signed with the project's JWT secret, as anyone holding it could make one. */
async function forge(claims: Record<string, unknown>, expiresIn: number | null = 3600): Promise<string> {
  if (!target.jwtSecret) throw new Error('set SUPABASE_JWT_SECRET to run the token tests against an external stack');
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ aud: 'authenticated', ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt(now);
  if (expiresIn !== null) jwt.setExpirationTime(now + expiresIn);
  return jwt.sign(new TextEncoder().encode(target.jwtSecret));
}

function read(token: string, path = '/rest/v1/organizations?select=id&limit=1'): Promise<Response> {
  return fetch(`${target.url}${path}`, { headers: { apikey: target.anonKey, authorization: `Bearer ${token}` } });
}

describe('tokens the Data API accepts', () => {
  it('serves a signed token of an API role that expires', async () => {
    const user = await signUpUser('forged');
    const response = await read(await forge({ sub: user.user.id, role: 'authenticated' }));
    expect(response.status).toBe(200);
  });

  it('refuses a token naming postgres or any role but anon, authenticated and service_role', async () => {
    for (const role of ['postgres', 'supabase_admin', 'authenticator']) {
      const response = await read(await forge({ role }));
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({
        code: '42501',
        message: `permission denied to set role "${role}"`,
      });
    }
    const storage = await read(await forge({ role: 'postgres' }), '/storage/v1/bucket');
    expect(storage.status).toBe(400);
    expect(await storage.json()).toMatchObject({ code: 'AccessDenied' });
  });

  it('refuses a token without exp', async () => {
    const user = await signUpUser('forever');
    const response = await read(await forge({ sub: user.user.id, role: 'authenticated' }, null));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ code: 'PGRST303' });
  });

  it('refuses a token once it has expired, though it was served before', async () => {
    const user = await signUpUser('expiring');
    const token = await forge({ sub: user.user.id, role: 'authenticated' }, 2);
    expect((await read(token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const expired = await read(token);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ code: 'PGRST303', message: 'JWT expired' });
  });

  it("serves a signed-out or deleted user's token until it expires, as PostgREST does; Auth refuses it", async () => {
    // PostgREST checks a token's signature and exp only, never auth.sessions or auth.users: on the
    // platform too an access token outlives its sign-out until it expires (docs/local-stack.md).
    const user = await signUpUser('signed-out');
    const { data } = await user.client.auth.getSession();
    const token = data.session?.access_token as string;
    const authUser = () =>
      fetch(`${target.url}/auth/v1/user`, { headers: { apikey: target.anonKey, authorization: `Bearer ${token}` } });
    expect((await read(token)).status).toBe(200);
    expect((await user.client.auth.signOut()).error).toBeNull();
    expect((await read(token)).status).toBe(200);
    const signedOut = await authUser();
    expect(signedOut.status).toBe(403);
    expect(await signedOut.json()).toMatchObject({ error_code: 'session_not_found' });

    expect((await serviceClient().auth.admin.deleteUser(user.user.id)).error).toBeNull();
    const deleted = await read(token);
    expect(deleted.status).toBe(200);
    // Row-level security answers for what the token names: a deleted user's organizations are gone.
    expect(await deleted.json()).toEqual([]);
    expect((await authUser()).status).toBe(403);
  });
});
