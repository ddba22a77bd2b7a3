import { schemaDiff, withSchemaDatabases } from '@westwallet/devstack/schemas';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';

/**
 * supabase/schemas (the current definitions) and supabase/migrations (the deploy history) must
 * build the same database: a change is made in the schemas and its migration generated from the
 * difference (`npm run db:diff -- <name>`). Both are built on a throwaway cluster of their own.
 */
describe('the current schema and the migrations', () => {
  it('define the same database, and a difference of any kind shows', async () => {
    await withSchemaDatabases(async (urls) => {
      const drift = await schemaDiff(urls.migrations, urls.schemas);
      expect(drift, `supabase/schemas and supabase/migrations differ; the migration missing:\n${drift}`).toBe('');

      // Each kind of difference the comparison must see, made in the schemas' database.
      const sql = postgres(urls.schemas, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`
          alter table public.tags add column probe integer;
          comment on function private.visible_text(text) is 'changed';
          grant execute on function private.visible_text(text) to anon;
          select cron.schedule('drift-probe', '5 4 * * *', 'select 1');
          create policy "probe" on public.tags for select to authenticated using (false);`);
      } finally {
        await sql.end();
      }
      const found = await schemaDiff(urls.migrations, urls.schemas);
      expect(found).toContain('alter table "public"."tags" add column "probe" integer');
      expect(found).toContain(`comment on function private.visible_text(pg_catalog.text) is 'changed';`);
      expect(found).toContain(
        'grant execute on function private.visible_text(text) to anon, authenticated, service_role',
      );
      expect(found).toContain(`select cron.schedule('drift-probe', '5 4 * * *', 'select 1');`);
      expect(found).toContain('create policy "probe"');
    });
  }, 120_000);
});
