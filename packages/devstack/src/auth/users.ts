import type postgres from 'postgres';

/** GoTrue's user object, built from auth.users, auth.identities and auth.mfa_factors. */
export type UserJson = Record<string, unknown> & { id: string; email: string };

const userQuery = (sql: postgres.Sql, where: postgres.PendingQuery<postgres.Row[]>) => sql`
  select u.id, u.aud, u.role, u.email, u.phone, u.email_confirmed_at, u.phone_confirmed_at, u.confirmed_at,
    u.confirmation_sent_at, u.recovery_sent_at, u.invited_at, u.email_change as new_email, u.email_change_sent_at,
    u.last_sign_in_at, u.raw_app_meta_data, u.raw_user_meta_data, u.banned_until, u.deleted_at, u.is_anonymous,
    u.created_at, u.updated_at,
    coalesce((select json_agg(json_build_object('identity_id', i.id, 'id', i.provider_id, 'user_id', i.user_id,
        'identity_data', i.identity_data, 'provider', i.provider, 'last_sign_in_at', coalesce(i.last_sign_in_at, i.created_at),
        'created_at', i.created_at, 'updated_at', i.updated_at, 'email', i.email) order by i.created_at)
      from auth.identities i where i.user_id = u.id), '[]') as identities,
    (select json_agg(json_build_object('id', f.id, 'friendly_name', coalesce(f.friendly_name, ''), 'factor_type', f.factor_type,
        'status', f.status, 'created_at', f.created_at, 'updated_at', f.updated_at) order by f.created_at)
      from auth.mfa_factors f where f.user_id = u.id) as factors
  from auth.users u ${where}`;

function toJson(row: postgres.Row): UserJson {
  const user: Record<string, unknown> = {
    id: row.id,
    aud: row.aud ?? 'authenticated',
    role: row.role ?? 'authenticated',
    email: row.email ?? '',
    phone: row.phone ?? '',
    app_metadata: row.raw_app_meta_data ?? {},
    user_metadata: row.raw_user_meta_data ?? {},
    identities: row.identities,
    created_at: row.created_at,
    updated_at: row.updated_at,
    is_anonymous: row.is_anonymous ?? false,
  };
  const optional = [
    'email_confirmed_at',
    'phone_confirmed_at',
    'confirmed_at',
    'confirmation_sent_at',
    'recovery_sent_at',
    'invited_at',
    'new_email',
    'email_change_sent_at',
    'last_sign_in_at',
    'banned_until',
    'deleted_at',
    'factors',
  ];
  for (const key of optional) if (row[key] !== null && row[key] !== undefined) user[key] = row[key];
  return user as UserJson;
}

export async function findUser(sql: postgres.Sql, id: string): Promise<UserJson | null> {
  const [row] = await userQuery(sql, sql`where u.id::text = ${id}`);
  return row ? toJson(row) : null;
}

export async function findUserByEmail(sql: postgres.Sql, email: string): Promise<UserJson | null> {
  const [row] = await userQuery(sql, sql`where lower(u.email) = ${email.toLowerCase()}`);
  return row ? toJson(row) : null;
}

/** A page of users, newest first (GoTrue's order), and how many there are. */
export async function listUsers(sql: postgres.Sql, page: number, perPage: number) {
  const rows = await userQuery(
    sql,
    sql`order by u.created_at desc, u.id limit ${perPage} offset ${(page - 1) * perPage}`,
  );
  const [{ total }] = await sql<{ total: number }[]>`select count(*)::int as total from auth.users`;
  return { users: rows.map(toJson), total };
}
