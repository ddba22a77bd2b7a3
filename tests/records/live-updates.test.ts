import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { asRole } from '../helpers/db.ts';
import { join, personalOrg } from '../helpers/organizations.ts';

/** Live updates: every change of an organization broadcast on `org:<org_id>`, to its members only. */

let owner: TestUser;
let orgId: string;

beforeAll(async () => {
  owner = await signUpUser('syncowner');
  orgId = await personalOrg(owner);
});

describe('live updates', () => {
  it('broadcast every change to org:<org_id>, received by members only', async () => {
    const [viewer, outsider] = await Promise.all([signUpUser('rtviewer'), signUpUser('rtoutsider')]);
    await join(owner, orgId, viewer, 'viewer');
    const { data: tag } = await owner.client.from('tags').insert({ org_id: orgId, name: 'live' }).select('id').single();
    const topic = `org:${orgId}`;

    const receive = (user: TestUser) =>
      asRole({ role: 'authenticated', sub: user.user.id }, async (sql) => {
        await sql`select set_config('realtime.topic', ${topic}, true)`;
        return sql`select event, payload -> 'record' ->> 'id' as id from realtime.messages
                   where topic = ${topic} and payload -> 'record' ->> 'id' = ${tag?.id as string}`;
      });
    expect(await receive(viewer)).toEqual([{ event: 'INSERT', id: tag?.id }]);
    expect(await receive(outsider)).toEqual([]);

    // An outsider naming their own topic still sees nothing of this organization.
    const ownTopic = await asRole({ role: 'authenticated', sub: outsider.user.id }, async (sql) => {
      await sql`select set_config('realtime.topic', ${`org:${await personalOrg(outsider)}`}, true)`;
      return sql`select 1 from realtime.messages where topic = ${topic}`;
    });
    expect(ownTopic).toEqual([]);
  });
});
