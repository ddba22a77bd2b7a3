/**
 * The settings of the API roles (`alter role authenticated set plan_cache_mode = ...`), which
 * PostgREST applies to each request of the role it impersonates, transaction-scoped, in the
 * statement that sets the request's claims: `set role` does not apply a role's settings (only a
 * login does), so without them every local request planned and ran under the server's defaults
 * where the platform uses the role's. lite applies none.
 *
 * As PostgREST: settings of the roles' own (`pg_roles.rolconfig`, not those `in database`), only
 * those any role may set (`user` context) or custom ones (`app.x`), and not
 * `default_transaction_isolation`, which PostgREST turns into the transaction's isolation level
 * (none of our roles sets it). PostgREST reads them at start and on `notify pgrst, 'reload
 * config'`; locally they are read again on that and on `reload schema` too.
 */

export type Settings = [name: string, value: string][];

/** Runs a statement on one of lite's sessions (./sessions.ts), which survive lost connections. */
type Query = (text: string) => Promise<Record<string, string>[]>;

export class RoleSettings {
  private byRole = new Map<string, Settings>();

  constructor(private readonly query: Query) {}

  /** The settings a request of `role` gets; none for a role without any. */
  of(role: string): Settings {
    return this.byRole.get(role) ?? [];
  }

  async reload(): Promise<void> {
    const rows = await this.query(`
      select r.rolname as role, s.name, s.value
      from pg_roles r
      cross join lateral (
        select split_part(c, '=', 1) as name, substr(c, strpos(c, '=') + 1) as value
        from unnest(r.rolconfig) with ordinality as u (c, n)
        order by u.n
      ) s
      where r.rolname in ('anon', 'authenticated', 'service_role')
        and s.name <> 'default_transaction_isolation'
        and (s.name like '%.%' or exists (select from pg_settings p where p.name = s.name and p.context = 'user'))`);
    const byRole = new Map<string, Settings>();
    for (const { role, name, value } of rows) byRole.set(role, [...(byRole.get(role) ?? []), [name, value]]);
    this.byRole = byRole;
  }
}
