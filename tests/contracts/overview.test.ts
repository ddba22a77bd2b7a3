import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { addContract, contractOverview } from '../helpers/contracts.ts';
import { addDays, orgToday } from '../helpers/dates.ts';
import { addExchangeRate, categoryIds } from '../helpers/finance.ts';
import { householdWithMembers } from '../helpers/organizations.ts';

/**
 * contract_overview: the next payment, the notice deadline and the costs a contract comes to,
 * in the base currency, page by page.
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

describe('the overview', () => {
  it('derives the next payment, the notice deadline and the cost per month and year', async () => {
    const firstPayment = addDays(today, 5);
    const contract = await addContract(member, orgId, {
      name: 'Bredband',
      amount_minor: 29700,
      frequency: 'quarterly',
      starts_on: today,
      first_payment_on: firstPayment,
      binding_ends_on: '2030-06-30',
      renewal_months: 12,
      notice_period: 3,
      category_id: categories.internet_phone,
    });
    expect(await overview(contract.id)).toMatchObject({
      as_of: today,
      current_status: 'active',
      next_payment_on: firstPayment,
      effective_ends_on: null,
      earliest_end_on: '2030-06-30',
      notice_deadline_on: '2030-03-31',
      monthly_minor: 9900,
      yearly_minor: 118800,
      base_currency: 'SEK',
      monthly_base_minor: 9900,
      yearly_base_minor: 118800,
      payment_count: 0,
      last_paid_on: null,
      paid_base_minor: 0,
    });
  });

  it('converts a foreign contract with the rate of today, and leaves it unconverted without one', async () => {
    const contract = await addContract(member, orgId, { name: 'Cloud storage', amount_minor: 999, currency: 'EUR' });
    expect(await overview(contract.id)).toMatchObject({
      monthly_minor: 999,
      monthly_base_minor: null,
      yearly_base_minor: null,
    });
    await addExchangeRate(member, orgId, 'EUR', addDays(today, -2), 11.5);
    expect(await overview(contract.id)).toMatchObject({ monthly_base_minor: 11489, yearly_base_minor: 137862 });
  });

  it('pages by reference, a page at a time', async () => {
    for (const name of ['Page 1', 'Page 2', 'Page 3', 'Page 4']) await addContract(member, orgId, { name });
    const first = await viewer.client
      .from('contract_overview')
      .select('reference, name')
      .eq('org_id', orgId)
      .order('reference')
      .limit(2);
    const next = await viewer.client
      .from('contract_overview')
      .select('reference, name')
      .eq('org_id', orgId)
      .order('reference')
      .gt('reference', first.data?.at(-1)?.reference ?? '')
      .limit(2);
    expect(first.data).toHaveLength(2);
    expect(next.data).toHaveLength(2);
    expect(String(next.data?.[0].reference) > String(first.data?.[1].reference)).toBe(true);
  });
});
