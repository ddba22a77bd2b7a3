import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { adminSql, asRole } from '../helpers/db.ts';

/**
 * Vault's SQL API as migrations use it: secrets stored encrypted, kept from the API roles.
 * On the local stack this is the devstack's stand-in and workers; against a hosted project, the
 * real extension. Names are unique per run, so the suite can run again on the same database.
 */

const run = randomUUID().replaceAll('-', '').slice(0, 10);

describe('vault, the Vault API', () => {
  const name = `platform_test_${run}`;

  afterAll(async () => {
    await adminSql`delete from vault.secrets where name like ${`${name}%`}`;
  });

  it('stores a secret encrypted and reads it back decrypted', async () => {
    const [{ id }] = await adminSql`select vault.create_secret('s3cret-value', ${name}, 'an API key') as id`;
    const [stored] = await adminSql`select secret from vault.secrets where id = ${id}`;
    expect(stored.secret).not.toContain('s3cret-value');

    const [secret] = await adminSql`
      select name, description, decrypted_secret from vault.decrypted_secrets where id = ${id}`;
    expect(secret).toEqual({ name, description: 'an API key', decrypted_secret: 's3cret-value' });
    await expect(adminSql`select vault.create_secret('other', ${name})`).rejects.toThrow('duplicate key');
  });

  it('update_secret replaces the secret, name and description', async () => {
    const [{ id }] = await adminSql`select vault.create_secret('before', ${`${name}_old`}) as id`;
    await adminSql`select vault.update_secret(${id}, 'after', ${`${name}_new`}, 'rotated')`;
    const [secret] = await adminSql`
      select name, description, decrypted_secret, updated_at > created_at as touched
      from vault.decrypted_secrets where id = ${id}`;
    expect(secret).toEqual({ name: `${name}_new`, description: 'rotated', decrypted_secret: 'after', touched: true });
  });

  it('keeps secrets from anon and authenticated but lets service_role read them', async () => {
    await adminSql`select vault.create_secret('hidden', ${`${name}_roles`})`;
    for (const role of ['anon', 'authenticated'] as const) {
      for (const query of ['select * from vault.secrets', 'select * from vault.decrypted_secrets']) {
        await expect(asRole({ role }, (tx) => tx.unsafe(query))).rejects.toThrow('permission denied');
      }
    }
    const [secret] = await asRole(
      { role: 'service_role' },
      (tx) => tx`select decrypted_secret from vault.decrypted_secrets where name = ${`${name}_roles`}`,
    );
    expect(secret.decrypted_secret).toBe('hidden');
  });
});
