import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { addContract, type ContractInsert } from '../helpers/contracts.ts';
import { categoryIds } from '../helpers/finance.ts';
import { householdWithMembers, personalOrg } from '../helpers/organizations.ts';

/**
 * Creating a contract through the Data API: what the database fills in, and the schedules,
 * categories and states it refuses.
 */

let owner: TestUser;
let member: TestUser;
let orgId: string;
let categories: Record<string, string>;

beforeAll(async () => {
  ({ owner, member, orgId } = await householdWithMembers('contracts'));
  categories = await categoryIds(owner, orgId);
});

describe('creating a contract', () => {
  it('gets a reference, an upper-case currency and its first payment on its start', async () => {
    const contract = await addContract(member, orgId, {
      name: 'Netflix',
      currency: 'sek',
      amount_minor: 14900,
      starts_on: '2026-03-14',
      category_id: categories.streaming,
    });
    expect(contract).toMatchObject({
      reference: expect.stringMatching(/^[A-Z]\d{6}$/),
      currency: 'SEK',
      frequency: 'monthly',
      first_payment_on: '2026-03-14',
      status: 'active',
      auto_renews: true,
      notice_period: 0,
      notice_period_unit: 'months',
    });
  });

  it('refuses a schedule that does not add up (CONTRACT_SCHEDULE_INVALID)', async () => {
    const attempts: Partial<ContractInsert>[] = [
      { frequency: 'every_n_months' },
      { frequency: 'monthly', interval_months: 2 },
      { starts_on: '2026-05-01', binding_ends_on: '2026-04-30' },
      { starts_on: '2026-05-01', status: 'ended', ends_on: '2026-04-01' },
    ];
    for (const fields of attempts) {
      const { error } = await member.client
        .from('contracts')
        .insert({ org_id: orgId, name: 'Bad', amount_minor: 100, currency: 'SEK', starts_on: '2026-01-01', ...fields });
      expect(error, JSON.stringify(fields)).toMatchObject({ code: 'PT400', message: 'CONTRACT_SCHEDULE_INVALID' });
    }
    const every = await addContract(member, orgId, { frequency: 'every_n_months', interval_months: 5 });
    expect(every.interval_months).toBe(5);
    // A cancelled contract may never have started (cancelled within the cooling-off period).
    const cancelled = await addContract(member, orgId, {
      starts_on: '2026-05-01',
      status: 'cancelled',
      ends_on: '2026-04-20',
    });
    expect(cancelled.ends_on).toBe('2026-04-20');
  });

  it('refuses an income category (CATEGORY_KIND_MISMATCH) and a category of another organization', async () => {
    const income = await member.client
      .from('contracts')
      .insert({
        org_id: orgId,
        name: 'Salary?',
        amount_minor: 100,
        currency: 'SEK',
        starts_on: '2026-01-01',
        category_id: categories.salary,
      })
      .select();
    expect(income.error).toMatchObject({ code: 'PT400', message: 'CATEGORY_KIND_MISMATCH' });

    const stranger = await signUpUser('contracts-stranger');
    const theirs = await categoryIds(stranger, await personalOrg(stranger));
    const foreign = await member.client
      .from('contracts')
      .insert({
        org_id: orgId,
        name: 'Foreign',
        amount_minor: 100,
        currency: 'SEK',
        starts_on: '2026-01-01',
        category_id: theirs.streaming,
      })
      .select();
    expect(foreign.error).toMatchObject({ code: '23503' });
  });

  it('refuses an active contract with an end date (CONTRACT_STATUS_INVALID)', async () => {
    const { error } = await member.client.from('contracts').insert({
      org_id: orgId,
      name: 'Ends?',
      amount_minor: 100,
      currency: 'SEK',
      starts_on: '2026-01-01',
      ends_on: '2027-01-01',
    });
    expect(error).toMatchObject({ code: 'PT400', message: 'CONTRACT_STATUS_INVALID' });
  });
});
