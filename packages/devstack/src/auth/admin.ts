import { createHash, randomInt, randomUUID } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type postgres from 'postgres';
import { authError, readJson } from './http.ts';
import { findUser, findUserByEmail, listUsers, type UserJson } from './users.ts';

/**
 * GoTrue's admin API (/auth/v1/admin/..., /auth/v1/invite) for callers with the secret key:
 * users created, listed in pages, read, updated and deleted; invitations; generated links. The
 * links and one-time codes are the ones lite's /verify accepts (hashes of email and code in the
 * user's token columns); an invitation's mail is the project's invite template (lite/auth-mailer.ts).
 */

export interface AdminContext {
  sql: postgres.Sql;
  /** The API's own address, for the links to /auth/v1/verify (GoTrue's API_EXTERNAL_URL). */
  apiUrl: string;
  siteUrl: string;
  minimumPasswordLength: number;
  otpLength: number;
  /** Mails the invite template (supabase/templates) with the link of `tokenHash`, as GoTrue does. */
  sendInvite(email: string, tokenHash: string, meta: { userId: string; redirectTo: string }): Promise<void>;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** GoTrue's default and largest page. */
const DEFAULT_PER_PAGE = 50;

const userNotFound = () => authError(404, 'user_not_found', 'User not found');
const emailExists = () => authError(422, 'email_exists', 'A user with this email address has already been registered');

function objectOr(value: unknown, fallback: Record<string, unknown> = {}): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : fallback;
}

function weakPassword(context: AdminContext, password: unknown): Response | null {
  if (typeof password !== 'string') return null;
  if (password.length >= context.minimumPasswordLength) return null;
  return authError(422, 'weak_password', `Password should be at least ${context.minimumPasswordLength} characters.`, {
    weak_password: { reasons: ['length'] },
  });
}

/** A one-time code and the hash lite's /verify looks the user up by (sha256 of email and code). */
function oneTimeCode(context: AdminContext, email: string) {
  const otp = String(randomInt(0, 10 ** context.otpLength)).padStart(context.otpLength, '0');
  const hash = createHash('sha256')
    .update(email.toLowerCase() + otp)
    .digest('hex');
  return { otp, hash };
}

function actionLink(context: AdminContext, hash: string, type: string, redirectTo: string): string {
  const url = new URL('/auth/v1/verify', context.apiUrl);
  url.searchParams.set('token', hash);
  url.searchParams.set('type', type);
  url.searchParams.set('redirect_to', redirectTo);
  return url.toString();
}

interface NewUser {
  email: string;
  password?: string;
  confirmed: boolean;
  userMetadata: Record<string, unknown>;
  appMetadata: Record<string, unknown>;
  role?: string;
  invited?: boolean;
}

async function insertUser(sql: postgres.Sql, user: NewUser): Promise<string> {
  const id = randomUUID();
  const encrypted = user.password ? await bcrypt.hash(user.password, 10) : '';
  const appMetadata = { provider: 'email', providers: ['email'], ...user.appMetadata };
  await sql.begin(async (tx) => {
    await tx`
      insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at, invited_at,
        raw_app_meta_data, raw_user_meta_data)
      values (${id}, 'authenticated', ${user.role ?? 'authenticated'}, ${user.email.toLowerCase()}, ${encrypted},
        ${user.confirmed ? sql`now()` : null}, ${user.invited ? sql`now()` : null},
        ${tx.json(appMetadata as postgres.JSONValue)}, ${tx.json(user.userMetadata as postgres.JSONValue)})`;
    const identity = {
      sub: id,
      email: user.email.toLowerCase(),
      email_verified: user.confirmed,
      phone_verified: false,
    };
    await tx`
      insert into auth.identities (id, provider, provider_id, user_id, identity_data)
      values (${randomUUID()}, 'email', ${id}, ${id}, ${tx.json(identity)})`;
  });
  return id;
}

async function createUser(context: AdminContext, request: Request): Promise<Response> {
  const body = (await readJson(request)) ?? {};
  const email = typeof body.email === 'string' ? body.email.trim() : '';
  if (!EMAIL.test(email))
    return authError(400, 'validation_failed', 'Unable to validate email address: invalid format');
  const weak = weakPassword(context, body.password);
  if (weak) return weak;
  if (await findUserByEmail(context.sql, email)) return emailExists();
  const id = await insertUser(context.sql, {
    email,
    password: typeof body.password === 'string' ? body.password : undefined,
    confirmed: body.email_confirm === true,
    userMetadata: objectOr(body.user_metadata ?? body.data),
    appMetadata: objectOr(body.app_metadata),
    role: typeof body.role === 'string' ? body.role : undefined,
  });
  return Response.json(await findUser(context.sql, id));
}

async function list(context: AdminContext, url: URL): Promise<Response> {
  const page = Math.max(1, Number.parseInt(url.searchParams.get('page') ?? '', 10) || 1);
  const perPage = Math.min(
    1000,
    Math.max(1, Number.parseInt(url.searchParams.get('per_page') ?? '', 10) || DEFAULT_PER_PAGE),
  );
  const { users, total } = await listUsers(context.sql, page, perPage);
  // GoTrue's pagination headers: x-total-count and RFC 5988 links to the next and last pages.
  const last = Math.max(1, Math.ceil(total / perPage));
  const links: string[] = [];
  if (page < last) links.push(`</admin/users?page=${page + 1}&per_page=${perPage}>; rel="next"`);
  links.push(`</admin/users?page=${last}&per_page=${perPage}>; rel="last"`);
  return Response.json(
    { users, aud: 'authenticated' },
    { headers: { 'x-total-count': String(total), link: links.join(', ') } },
  );
}

async function updateUser(context: AdminContext, id: string, request: Request): Promise<Response> {
  const user = await findUser(context.sql, id);
  if (!user) return userNotFound();
  const body = (await readJson(request)) ?? {};
  const weak = weakPassword(context, body.password);
  if (weak) return weak;
  const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : null;
  if (email !== null && !EMAIL.test(email)) {
    return authError(400, 'validation_failed', 'Unable to validate email address: invalid format');
  }
  if (email && email !== user.email) {
    const other = await findUserByEmail(context.sql, email);
    if (other && other.id !== id) return emailExists();
  }
  const password = typeof body.password === 'string' ? await bcrypt.hash(body.password, 10) : null;
  const userMetadata = body.user_metadata === undefined ? null : objectOr(body.user_metadata);
  const appMetadata = body.app_metadata === undefined ? null : objectOr(body.app_metadata);
  const ban = typeof body.ban_duration === 'string' ? body.ban_duration : null;
  const banSeconds = ban && ban !== 'none' ? parseDuration(ban) : null;
  if (ban && ban !== 'none' && banSeconds === null) {
    return authError(400, 'validation_failed', 'invalid format for ban duration');
  }
  await context.sql`
    update auth.users set
      email = coalesce(${email}, email),
      encrypted_password = coalesce(${password}, encrypted_password),
      email_confirmed_at = case when ${body.email_confirm === true} then coalesce(email_confirmed_at, now())
        when ${body.email_confirm === false} then null else email_confirmed_at end,
      raw_user_meta_data = case when ${userMetadata !== null} then raw_user_meta_data || ${context.sql.json((userMetadata ?? {}) as postgres.JSONValue)} else raw_user_meta_data end,
      raw_app_meta_data = case when ${appMetadata !== null} then raw_app_meta_data || ${context.sql.json((appMetadata ?? {}) as postgres.JSONValue)} else raw_app_meta_data end,
      role = coalesce(${typeof body.role === 'string' ? body.role : null}, role),
      banned_until = case when ${ban === 'none'} then null
        when ${banSeconds !== null} then now() + make_interval(secs => ${banSeconds ?? 0}) else banned_until end,
      updated_at = now()
    where id = ${id}`;
  if (banSeconds !== null) {
    // GoTrue ends a banned user's sessions.
    await context.sql`delete from auth.sessions where user_id = ${id}`;
  }
  return Response.json(await findUser(context.sql, id));
}

/** Go's time.ParseDuration for the units GoTrue's ban_duration uses (e.g. "24h", "1h30m", "90s"). */
function parseDuration(text: string): number | null {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return null;
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * units[unit as string], 0);
}

async function deleteUser(context: AdminContext, id: string, request: Request): Promise<Response> {
  const user = await findUser(context.sql, id);
  if (!user) return userNotFound();
  const body = (await readJson(request)) ?? {};
  if (body.should_soft_delete === true) {
    // GoTrue's soft delete keeps the row, marked deleted, without its credentials and sessions.
    await context.sql.begin(async (tx) => {
      await tx`update auth.users set deleted_at = now(), encrypted_password = '', email = null, phone = null,
        raw_user_meta_data = '{}', updated_at = now() where id = ${id}`;
      await tx`delete from auth.identities where user_id = ${id}`;
      await tx`delete from auth.sessions where user_id = ${id}`;
    });
  } else {
    await context.sql`delete from auth.users where id = ${id}`;
  }
  return Response.json({});
}

/** Creates (or finds) the user a link is for and stores the hash of its one-time code. */
async function prepareLink(
  context: AdminContext,
  type: string,
  body: Record<string, unknown>,
): Promise<Response | { user: UserJson; otp: string; hash: string }> {
  const email = typeof body.email === 'string' ? body.email.trim().toLowerCase() : '';
  if (!EMAIL.test(email))
    return authError(400, 'validation_failed', 'Unable to validate email address: invalid format');
  let user = await findUserByEmail(context.sql, email);
  const data = objectOr(body.data);
  if (type === 'signup' || type === 'invite') {
    if (user?.email_confirmed_at) return emailExists();
    if (type === 'signup') {
      if (typeof body.password !== 'string' || body.password === '') {
        return authError(400, 'validation_failed', 'Password is required for signup');
      }
      const weak = weakPassword(context, body.password);
      if (weak) return weak;
    }
    if (!user) {
      const id = await insertUser(context.sql, {
        email,
        password: typeof body.password === 'string' ? body.password : undefined,
        confirmed: false,
        userMetadata: data,
        appMetadata: {},
        invited: type === 'invite',
      });
      user = await findUser(context.sql, id);
    }
  } else if (type === 'magiclink') {
    if (!user) {
      const id = await insertUser(context.sql, { email, confirmed: false, userMetadata: data, appMetadata: {} });
      user = await findUser(context.sql, id);
    }
  } else if (type === 'recovery') {
    if (!user) return userNotFound();
  } else {
    return authError(400, 'validation_failed', `Link type ${type} is not supported by the local stack`);
  }
  if (!user) return userNotFound();
  const { otp, hash } = oneTimeCode(context, email);
  // lite's /verify finds signup and invite (as magiclink) codes in confirmation_token, magic
  // link and recovery codes in recovery_token.
  if (type === 'signup' || type === 'invite') {
    await context.sql`update auth.users set confirmation_token = ${hash}, confirmation_sent_at = now(),
      invited_at = case when ${type === 'invite'} then coalesce(invited_at, now()) else invited_at end where id = ${user.id}`;
  } else {
    await context.sql`update auth.users set recovery_token = ${hash}, recovery_sent_at = now() where id = ${user.id}`;
  }
  return { user: (await findUser(context.sql, user.id)) ?? user, otp, hash };
}

async function generateLink(context: AdminContext, request: Request): Promise<Response> {
  const body = (await readJson(request)) ?? {};
  const type = typeof body.type === 'string' ? body.type : '';
  const prepared = await prepareLink(context, type, body);
  if (prepared instanceof Response) return prepared;
  const redirectTo = typeof body.redirect_to === 'string' ? body.redirect_to : context.siteUrl;
  return Response.json({
    ...prepared.user,
    action_link: actionLink(context, prepared.hash, type, redirectTo),
    email_otp: prepared.otp,
    hashed_token: prepared.hash,
    redirect_to: redirectTo,
    verification_type: type,
  });
}

async function invite(context: AdminContext, request: Request): Promise<Response> {
  const body = (await readJson(request)) ?? {};
  const prepared = await prepareLink(context, 'invite', body);
  if (prepared instanceof Response) return prepared;
  const redirectTo = typeof body.redirect_to === 'string' ? body.redirect_to : context.siteUrl;
  await context.sendInvite(prepared.user.email, prepared.hash, { userId: prepared.user.id, redirectTo });
  return Response.json(prepared.user);
}

/** Answers an admin route (the caller is already known to hold the secret key), or null for another path. */
export async function serveAdmin(context: AdminContext, request: Request, route: string): Promise<Response | null> {
  const method = request.method;
  if (route === '/invite' && method === 'POST') return invite(context, request);
  if (route === '/admin/generate_link' && method === 'POST') return generateLink(context, request);
  if (route === '/admin/users' || route === '/admin/users/') {
    if (method === 'GET') return list(context, new URL(request.url));
    if (method === 'POST') return createUser(context, request);
    return null;
  }
  const factor = route.match(/^\/admin\/users\/([^/]+)\/factors\/([^/]+)\/?$/);
  if (factor && method === 'DELETE') {
    const [deleted] = await context.sql<{ id: string }[]>`
      delete from auth.mfa_factors where id::text = ${factor[2] as string} and user_id::text = ${factor[1] as string} returning id`;
    return deleted ? Response.json({ id: deleted.id }) : authError(404, 'mfa_factor_not_found', 'Factor not found');
  }
  const factors = route.match(/^\/admin\/users\/([^/]+)\/factors\/?$/);
  if (factors && method === 'GET') {
    const user = await findUser(context.sql, factors[1] as string);
    return user ? Response.json(user.factors ?? []) : userNotFound();
  }
  const one = route.match(/^\/admin\/users\/([^/]+)\/?$/);
  if (!one) return null;
  const id = one[1] as string;
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    return authError(404, 'user_not_found', 'User not found');
  }
  if (method === 'GET') {
    const user = await findUser(context.sql, id);
    return user ? Response.json(user) : userNotFound();
  }
  if (method === 'PUT') return updateUser(context, id, request);
  if (method === 'DELETE') return deleteUser(context, id, request);
  return null;
}
