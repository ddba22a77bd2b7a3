import { describe, expect, it } from 'vitest';
import { signUpUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { join, personalOrg } from '../helpers/organizations.ts';

/** Deleting a user takes the organizations only they belonged to, never one that depends on them. */

describe('deleting a user', () => {
  it('deletes the organizations only they belonged to, and refuses while others depend on them as owner', async () => {
    const [leaving, partner] = await Promise.all([signUpUser('deleted'), signUpUser('partner')]);
    const own = await personalOrg(leaving);
    const { data: shared } = await leaving.client.rpc('create_organization', { name: 'Shared', kind: 'family' });
    await join(leaving, shared?.id as string, partner, 'admin');

    await expect(adminSql`delete from auth.users where id = ${leaving.user.id}`).rejects.toMatchObject({
      message: 'LAST_OWNER',
    });
    await leaving.client.rpc('transfer_ownership', { org_id: shared?.id as string, new_owner_id: partner.user.id });
    await adminSql`delete from auth.users where id = ${leaving.user.id}`;
    const left = await adminSql`select id from public.organizations where id in (${own}, ${shared?.id as string})`;
    expect(left.map((o) => o.id)).toEqual([shared?.id]);
  });
});
