import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { addContract, contractOverview } from '../helpers/contracts.ts';
import { orgToday } from '../helpers/dates.ts';
import { categoryIds } from '../helpers/finance.ts';
import { householdWithMembers, personalOrg } from '../helpers/organizations.ts';

/**
 * Payments: the transactions linked to a contract, summed in the overview, never across
 * organizations.
 */

let owner: TestUser;
let member: TestUser;
let viewer: TestUser;
let orgId: string;
/** Today in the organization's time zone (Europe/Stockholm): what the overview counts from. */
let today: string;
let categories: Record<string, string>;

beforeAll(async () => {
  ({ owner, member, viewer, orgId } = await householdWithMembers('contracts'));
  categories = await categoryIds(owner, orgId);
  today = await orgToday(orgId);
});

const overview = (id: string) => contractOverview(member, id);

describe('payments', () => {
  it('are the live transactions linked to the contract, newest first', async () => {
    const contract = await addContract(member, orgId, { name: 'Electricity', category_id: categories.utilities });
    const pay = (booked_on: string, amount_minor: number, kind: 'expense' | 'income' = 'expense') =>
      member.client
        .from('transactions')
        .insert({ org_id: orgId, kind, booked_on, amount_minor, currency: 'SEK', contract_id: contract.id })
        .select()
        .single();
    const payments = [
      await pay('2026-09-30', 85000),
      await pay('2026-10-31', 91000),
      await pay('2026-11-05', 6000, 'income'),
    ];
    for (const p of payments) expect(p.error).toBeNull();
    const deleted = await pay('2026-11-30', 99900);
    await member.client
      .from('transactions')
      .delete()
      .eq('id', deleted.data?.id ?? '');

    const { data } = await viewer.client
      .from('transactions')
      .select('booked_on, amount_minor')
      .eq('contract_id', contract.id)
      .order('booked_on', { ascending: false })
      .limit(2);
    expect(data).toEqual([
      { booked_on: '2026-11-05', amount_minor: 6000 },
      { booked_on: '2026-10-31', amount_minor: 91000 },
    ]);
    expect(await overview(contract.id)).toMatchObject({
      payment_count: 3,
      last_paid_on: '2026-11-05',
      paid_base_minor: 170000,
    });
  });

  it('cannot point at a contract of another organization, and lose the link when the contract is purged', async () => {
    const stranger = await signUpUser('contracts-payer');
    const theirs = await addContract(stranger, await personalOrg(stranger), { name: 'Theirs' });
    const foreign = await member.client.from('transactions').insert({
      org_id: orgId,
      kind: 'expense',
      booked_on: today,
      amount_minor: 100,
      currency: 'SEK',
      contract_id: theirs.id,
    });
    expect(foreign.error).toMatchObject({ code: '23503' });

    const contract = await addContract(member, orgId, { name: 'Short-lived' });
    const payment = await member.client
      .from('transactions')
      .insert({
        org_id: orgId,
        kind: 'expense',
        booked_on: today,
        amount_minor: 100,
        currency: 'SEK',
        contract_id: contract.id,
      })
      .select()
      .single();
    await member.client.from('contracts').delete().eq('id', contract.id);
    const stillLinked = await member.client
      .from('transactions')
      .select('contract_id')
      .eq('id', payment.data?.id ?? '')
      .single();
    expect(stillLinked.data?.contract_id).toBe(contract.id);
    const purged = await owner.client.rpc('purge_from_trash', { table_name: 'contracts', id: contract.id });
    expect(purged.error).toBeNull();
    const unlinked = await member.client
      .from('transactions')
      .select('contract_id')
      .eq('id', payment.data?.id ?? '')
      .single();
    expect(unlinked.data).toEqual({ contract_id: null });
  });
});
