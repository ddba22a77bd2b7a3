import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { addContract, contractOverview } from '../helpers/contracts.ts';
import { orgToday } from '../helpers/dates.ts';
import { householdWithMembers } from '../helpers/organizations.ts';

/**
 * What a viewer may do with contracts.
 */
let member: TestUser;
let viewer: TestUser;
let orgId: string;
/** Today in the organization's time zone (Europe/Stockholm): what the overview counts from. */
let today: string;

beforeAll(async () => {
  ({ member, viewer, orgId } = await householdWithMembers('contracts'));
  today = await orgToday(orgId);
});

const overview = (id: string) => contractOverview(member, id);

describe('a viewer', () => {
  it('reads contracts but cannot add, change or delete them', async () => {
    const contract = await addContract(member, orgId, { name: 'Mobile' });
    const read = await viewer.client.from('contracts').select('name').eq('id', contract.id);
    expect(read.data).toEqual([{ name: 'Mobile' }]);
    const insert = await viewer.client
      .from('contracts')
      .insert({ org_id: orgId, name: 'Nope', amount_minor: 100, currency: 'SEK', starts_on: today });
    expect(insert.error).toMatchObject({ code: '42501' });
    const update = await viewer.client.from('contracts').update({ amount_minor: 1 }).eq('id', contract.id).select();
    expect(update.data).toEqual([]);
    const remove = await viewer.client.from('contracts').delete().eq('id', contract.id).select();
    expect(remove.data).toEqual([]);
    expect((await overview(contract.id)).amount_minor).toBe(10000);
  });
});
