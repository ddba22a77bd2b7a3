import type { Database } from '@westwallet/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { addContract, type ContractInsert } from '../helpers/contracts.ts';
import { addExchangeRate, categoryIds } from '../helpers/finance.ts';
import { join, signUpHousehold } from '../helpers/organizations.ts';

/** contract_stats(): what a household's contracts cost, what ends and what is due, as of a day. */

describe('statistics', () => {
  let statsOwner: TestUser;
  let statsOrg: string;
  const ids: Record<string, string> = {};
  let cat: Record<string, string>;

  /**
   * A household on 2027-03-15: five running contracts in SEK and EUR (with a rate), one in USD
   * without a rate, one under notice, one ended and one not yet started.
   */
  beforeAll(async () => {
    ({ owner: statsOwner, orgId: statsOrg } = await signUpHousehold('contracts-stats'));
    cat = await categoryIds(statsOwner, statsOrg);
    const add = async (key: string, fields: Partial<ContractInsert>) => {
      ids[key] = (await addContract(statsOwner, statsOrg, { name: key, starts_on: '2027-01-01', ...fields })).id;
    };
    await add('netflix', { amount_minor: 10000, first_payment_on: '2027-01-20', category_id: cat.streaming });
    await add('insurance', {
      amount_minor: 120000,
      frequency: 'yearly',
      binding_ends_on: '2027-12-31',
      renewal_months: 12,
      notice_period: 1,
      category_id: cat.insurance,
    });
    await add('gym', {
      amount_minor: 1000,
      frequency: 'weekly',
      starts_on: '2027-01-04',
      binding_ends_on: '2027-04-30',
      renewal_months: 12,
      notice_period: 1,
      category_id: cat.sports,
    });
    await add('software', {
      amount_minor: 1000,
      currency: 'EUR',
      first_payment_on: '2027-01-31',
      category_id: cat.subscriptions,
    });
    await add('usd', { amount_minor: 500, currency: 'USD' });
    await add('broadband', {
      amount_minor: 20000,
      starts_on: '2026-01-01',
      first_payment_on: '2026-01-28',
      status: 'notice_given',
      notice_given_on: '2027-03-01',
      ends_on: '2027-03-31',
      category_id: cat.internet_phone,
    });
    await add('ended', { amount_minor: 50000, status: 'ended', ends_on: '2027-02-01' });
    await add('future', { amount_minor: 70000, starts_on: '2027-04-01' });
    await addExchangeRate(statsOwner, statsOrg, 'EUR', '2027-03-12', 11.5);
  });

  async function stats(
    args: Partial<Database['public']['Functions']['contract_stats']['Args']> = {},
    user = statsOwner,
  ) {
    const { data, error } = await user.client.rpc('contract_stats', { org_id: statsOrg, as_of: '2027-03-15', ...args });
    expect(error).toBeNull();
    return data as Record<string, unknown> & { by_category: { category_id: string }[] };
  }

  it('total the running contracts per month and year in the base currency, the unconverted apart', async () => {
    expect(await stats()).toMatchObject({
      as_of: '2027-03-15',
      within_days: 30,
      base_currency: 'SEK',
      contracts: 6,
      // netflix 10000 + insurance 10000 + gym 4333 + software 11500 + broadband 20000
      monthly_minor: 55833,
      yearly_minor: 670000,
      unconverted: [{ currency: 'USD', contracts: 1, monthly_minor: 500, yearly_minor: 6000 }],
    });
  });

  it('break the totals down by category, with the parent for rolling up', async () => {
    const { by_category } = await stats();
    expect(by_category).toHaveLength(5);
    expect(by_category).toEqual(
      expect.arrayContaining([
        {
          category_id: cat.internet_phone,
          parent_id: cat.housing,
          contracts: 1,
          monthly_minor: 20000,
          yearly_minor: 240000,
        },
        { category_id: cat.subscriptions, parent_id: null, contracts: 1, monthly_minor: 11500, yearly_minor: 138000 },
        {
          category_id: cat.streaming,
          parent_id: cat.subscriptions,
          contracts: 1,
          monthly_minor: 10000,
          yearly_minor: 120000,
        },
        { category_id: cat.insurance, parent_id: null, contracts: 1, monthly_minor: 10000, yearly_minor: 120000 },
        { category_id: cat.sports, parent_id: cat.leisure, contracts: 1, monthly_minor: 4333, yearly_minor: 52000 },
      ]),
    );
    expect(by_category[0].category_id).toBe(cat.internet_phone);
  });

  it('list what ends, reaches its notice deadline or is due within the days asked, bounded', async () => {
    const within30 = await stats();
    expect(within30.ending).toEqual([
      {
        id: ids.broadband,
        reference: expect.any(String),
        name: 'broadband',
        status: 'notice_given',
        ends_on: '2027-03-31',
      },
    ]);
    expect(within30.notice_deadlines).toEqual([
      {
        id: ids.gym,
        reference: expect.any(String),
        name: 'gym',
        notice_deadline_on: '2027-03-31',
        earliest_end_on: '2027-04-30',
      },
    ]);
    const due = within30.next_payments as { name: string; next_payment_on: string }[];
    expect(due.map((p) => [p.name, p.next_payment_on])).toEqual([
      ['gym', '2027-03-15'],
      ['netflix', '2027-03-20'],
      ['broadband', '2027-03-28'],
      ['software', '2027-03-31'],
      ['usd', '2027-04-01'],
      ['future', '2027-04-01'],
    ]);

    const bounded = await stats({ max_rows: 2 });
    expect((bounded.next_payments as unknown[]).length).toBe(2);
    const year = await stats({ within_days: 300 });
    expect(
      (year.notice_deadlines as { name: string; notice_deadline_on: string }[]).map((n) => [
        n.name,
        n.notice_deadline_on,
      ]),
    ).toEqual([
      ['gym', '2027-03-31'],
      ['insurance', '2027-11-30'],
    ]);
  });

  it('are for members only, any role, with bounded arguments', async () => {
    const [stranger, statsViewer] = await Promise.all([
      signUpUser('contracts-outsider'),
      signUpUser('contracts-statsviewer'),
    ]);
    await join(statsOwner, statsOrg, statsViewer, 'viewer');
    expect(await stats({}, statsViewer)).toMatchObject({ monthly_minor: 55833 });
    const outside = await stranger.client.rpc('contract_stats', { org_id: statsOrg });
    expect(outside.error).toMatchObject({ code: 'PT403', message: 'NOT_A_MEMBER' });
    for (const args of [{ within_days: -1 }, { max_rows: 0 }, { max_rows: 201 }]) {
      const { error } = await statsOwner.client.rpc('contract_stats', { org_id: statsOrg, ...args });
      expect(error, JSON.stringify(args)).toMatchObject({ code: 'PT400', message: 'VALIDATION_FAILED' });
    }
  });
});
