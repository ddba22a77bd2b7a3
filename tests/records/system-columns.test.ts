import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { householdWithMembers, personalOrg } from '../helpers/organizations.ts';
import { addTag } from '../helpers/records.ts';

/**
 * The system columns of a record (who made and changed it, its organization, its reference):
 * stamped by the database, never changed by a client.
 */

let owner: TestUser;
let member: TestUser;
let orgId: string;

beforeAll(async () => {
  ({ owner, member, orgId } = await householdWithMembers('rec', {}));
});

describe('system columns', () => {
  it('are stamped by the database and cannot be changed, nor the record moved', async () => {
    const tag = await addTag(member, orgId, 'Stamped');
    expect(tag).toMatchObject({ created_by: member.user.id, updated_by: member.user.id, deleted_at: null });
    const other = await personalOrg(member);
    for (const change of [{ org_id: other }, { reference: 'A123456' }, { created_by: owner.user.id }]) {
      const { error } = await member.client.from('tags').update(change).eq('id', tag.id);
      expect(error, JSON.stringify(change)).toMatchObject({ code: 'PT400', message: 'READ_ONLY_COLUMN' });
    }
    const renamed = await owner.client
      .from('tags')
      .update({ name: 'Stamped again' })
      .eq('id', tag.id)
      .select()
      .single();
    expect(renamed.data).toMatchObject({ updated_by: owner.user.id, created_by: member.user.id });
  });
});
