import type { Database } from '@westwallet/shared';
import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { join, personalOrg } from '../helpers/organizations.ts';

/**
 * Contracts and subscriptions through the Data API, as a browser app uses them: create and
 * validate, the overview's derived dates and costs, giving notice and other status changes,
 * payments (linked transactions), statistics in the base currency, and what a viewer may do.
 * The date arithmetic itself is checked edge by edge in contract-dates.test.ts; tenant isolation
 * by the generated matrix.
 */

type ContractInsert = Database['public']['Tables']['contracts']['Insert'];

let owner: TestUser;
let member: TestUser;
let viewer: TestUser;
let orgId: string;
/** Today in the organization's time zone (Europe/Stockholm): what the overview counts from. */
let today: string;
const categories: Record<string, string> = {};

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

async function categoryIds(user: TestUser, org: string): Promise<Record<string, string>> {
  const { data, error } = await user.client.from('categories').select('id, key').eq('org_id', org);
  expect(error).toBeNull();
  return Object.fromEntries((data ?? []).map((c) => [c.key, c.id]));
}

async function addContract(user: TestUser, fields: Partial<ContractInsert>, org = orgId) {
  const { data, error } = await user.client
    .from('contracts')
    .insert({ org_id: org, name: 'Contract', amount_minor: 10000, currency: 'SEK', starts_on: '2026-01-01', ...fields })
    .select()
    .single();
  expect(error).toBeNull();
  return data as NonNullable<typeof data>;
}

async function overview(id: string) {
  const { data, error } = await member.client.from('contract_overview').select('*').eq('id', id).single();
  expect(error).toBeNull();
  return data as NonNullable<typeof data>;
}

beforeAll(async () => {
  [owner, member, viewer] = await Promise.all([
    signUpUser('contracts-owner', { locale: 'sv' }),
    signUpUser('contracts-member'),
    signUpUser('contracts-viewer'),
  ]);
  orgId = await personalOrg(owner);
  await join(owner, orgId, member, 'member');
  await join(owner, orgId, viewer, 'viewer');
  Object.assign(categories, await categoryIds(owner, orgId));
  [{ today }] = await adminSql`select (now() at time zone 'Europe/Stockholm')::date::text as today`;
});

describe('creating a contract', () => {
  it('gets a reference, an upper-case currency and its first payment on its start', async () => {
    const contract = await addContract(member, {
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
    const every = await addContract(member, { frequency: 'every_n_months', interval_months: 5 });
    expect(every.interval_months).toBe(5);
    // A cancelled contract may never have started (cancelled within the cooling-off period).
    const cancelled = await addContract(member, {
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

describe('the overview', () => {
  it('derives the next payment, the notice deadline and the cost per month and year', async () => {
    const firstPayment = addDays(today, 5);
    const contract = await addContract(member, {
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
    const contract = await addContract(member, { name: 'Cloud storage', amount_minor: 999, currency: 'EUR' });
    expect(await overview(contract.id)).toMatchObject({
      monthly_minor: 999,
      monthly_base_minor: null,
      yearly_base_minor: null,
    });
    const { error } = await member.client
      .from('exchange_rates')
      .insert({ org_id: orgId, currency: 'EUR', rate_date: addDays(today, -2), rate: 11.5 });
    expect(error).toBeNull();
    expect(await overview(contract.id)).toMatchObject({ monthly_base_minor: 11489, yearly_base_minor: 137862 });
  });

  it('pages by reference, a page at a time', async () => {
    for (const name of ['Page 1', 'Page 2', 'Page 3']) await addContract(member, { name });
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

describe('status changes', () => {
  it('give_notice sets notice_given, today and the earliest end; a second notice is refused (CONTRACT_NOT_ACTIVE)', async () => {
    const contract = await addContract(member, { name: 'Gym', notice_period: 1, notice_period_unit: 'months' });
    const { data, error } = await member.client.rpc('give_notice', { contract_id: contract.id });
    expect(error).toBeNull();
    const [{ expected }] =
      await adminSql`select private.add_months_keeping_month_end(${today}::date, 1)::text as expected`;
    expect(data).toMatchObject({ id: contract.id, status: 'notice_given', notice_given_on: today, ends_on: expected });
    expect(await overview(contract.id)).toMatchObject({
      current_status: 'notice_given',
      effective_ends_on: expected,
      notice_deadline_on: null,
    });

    const again = await member.client.rpc('give_notice', { contract_id: contract.id });
    expect(again.error).toMatchObject({ code: 'PT409', message: 'CONTRACT_NOT_ACTIVE' });
  });

  it('give_notice after the deadline ends the contract with the next renewal term', async () => {
    const contract = await addContract(member, {
      name: 'Alarm',
      starts_on: '2027-07-01',
      binding_ends_on: '2030-06-30',
      renewal_months: 12,
      notice_period: 3,
    });
    const late = await member.client.rpc('give_notice', { contract_id: contract.id, notice_on: '2030-04-15' });
    expect(late.data).toMatchObject({ notice_given_on: '2030-04-15', ends_on: '2031-06-30' });
    const agreed = await addContract(member, { name: 'Agreed end', binding_ends_on: '2030-06-30' });
    const early = await member.client.rpc('give_notice', {
      contract_id: agreed.id,
      notice_on: '2026-02-01',
      ends_on: '2026-03-31',
    });
    expect(early.data).toMatchObject({ ends_on: '2026-03-31' });
  });

  it('give_notice refuses a viewer (ROLE_FORBIDDEN) and an unknown or trashed contract (CONTRACT_NOT_FOUND)', async () => {
    const contract = await addContract(member, { name: 'Spotify' });
    const byViewer = await viewer.client.rpc('give_notice', { contract_id: contract.id });
    expect(byViewer.error).toMatchObject({ code: 'PT403', message: 'ROLE_FORBIDDEN' });
    const unknown = await member.client.rpc('give_notice', { contract_id: crypto.randomUUID() });
    expect(unknown.error).toMatchObject({ code: 'PT404', message: 'CONTRACT_NOT_FOUND' });
    await member.client.from('contracts').delete().eq('id', contract.id);
    const trashed = await member.client.rpc('give_notice', { contract_id: contract.id });
    expect(trashed.error).toMatchObject({ code: 'PT404', message: 'CONTRACT_NOT_FOUND' });
  });

  it('ends today when set to ended, and withdrawing the notice clears its dates', async () => {
    const contract = await addContract(member, { name: 'Newspaper', notice_period: 14, notice_period_unit: 'days' });
    const ended = await member.client
      .from('contracts')
      .update({ status: 'ended' })
      .eq('id', contract.id)
      .select()
      .single();
    expect(ended.data).toMatchObject({ status: 'ended', ends_on: today });
    expect(await overview(contract.id)).toMatchObject({ current_status: 'ended', next_payment_on: null });

    const noticed = await member.client
      .from('contracts')
      .update({ status: 'notice_given', ends_on: null, notice_given_on: '2026-02-01' })
      .eq('id', contract.id)
      .select()
      .single();
    expect(noticed.data).toMatchObject({ notice_given_on: '2026-02-01', ends_on: '2026-02-15' });
    const active = await member.client
      .from('contracts')
      .update({ status: 'active' })
      .eq('id', contract.id)
      .select()
      .single();
    expect(active.data).toMatchObject({ status: 'active', notice_given_on: null, ends_on: null });
  });

  it('goes to the trash and comes back', async () => {
    const contract = await addContract(member, { name: 'Viaplay' });
    await member.client.from('contracts').delete().eq('id', contract.id);
    const gone = await member.client.from('contract_overview').select('id').eq('id', contract.id);
    expect(gone.data).toEqual([]);
    const trash = await viewer.client.rpc('list_trash', { org_id: orgId, of_table: 'contracts' });
    expect(trash.data?.map((r) => r.id)).toContain(contract.id);
    const restored = await member.client.rpc('restore_from_trash', { table_name: 'contracts', id: contract.id });
    expect(restored.error).toBeNull();
    expect((await overview(contract.id)).name).toBe('Viaplay');
  });
});

describe('payments', () => {
  it('are the live transactions linked to the contract, newest first', async () => {
    const contract = await addContract(member, { name: 'Electricity', category_id: categories.utilities });
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
    const theirs = await addContract(stranger, { name: 'Theirs' }, await personalOrg(stranger));
    const foreign = await member.client.from('transactions').insert({
      org_id: orgId,
      kind: 'expense',
      booked_on: today,
      amount_minor: 100,
      currency: 'SEK',
      contract_id: theirs.id,
    });
    expect(foreign.error).toMatchObject({ code: '23503' });

    const contract = await addContract(member, { name: 'Short-lived' });
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
    statsOwner = await signUpUser('contracts-stats', { locale: 'sv' });
    statsOrg = await personalOrg(statsOwner);
    cat = await categoryIds(statsOwner, statsOrg);
    const add = async (key: string, fields: Partial<ContractInsert>) => {
      ids[key] = (await addContract(statsOwner, { name: key, starts_on: '2027-01-01', ...fields }, statsOrg)).id;
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
    const { error } = await statsOwner.client
      .from('exchange_rates')
      .insert({ org_id: statsOrg, currency: 'EUR', rate_date: '2027-03-12', rate: 11.5 });
    expect(error).toBeNull();
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

describe('a viewer', () => {
  it('reads contracts but cannot add, change or delete them', async () => {
    const contract = await addContract(member, { name: 'Mobile' });
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
