import { beforeAll, describe, expect, it } from 'vitest';
import { serviceClient, type TestUser } from '../helpers/clients.ts';
import { addContract } from '../helpers/contracts.ts';
import { adminSql } from '../helpers/db.ts';
import { addTransaction, categoryId, createAccount } from '../helpers/finance.ts';
import { addVehicle } from '../helpers/home.ts';
import { signUpHousehold, untyped } from '../helpers/organizations.ts';

/**
 * Amounts, calendar days and names are bounded by the database, on every table that takes them,
 * and a write beyond the bounds answers 400 with a stable code, whichever table or path it takes.
 */

const TOO_MUCH = 1_000_000_000_000_001;
const MOST = 1_000_000_000_000_000;

let owner: TestUser;
let orgId: string;
let bank: string;
let savings: string;
let vehicleId: string;
let contractId: string;

beforeAll(async () => {
  ({ owner, orgId } = await signUpHousehold('bounds'));
  [bank, savings] = await Promise.all([createAccount(owner, orgId), createAccount(owner, orgId)]);
  vehicleId = (await addVehicle(owner, orgId, { model: null, fuel: 'petrol' })).id;
  contractId = (await addContract(owner, orgId, { name: 'Gym', amount_minor: 39900 })).id;
});

type Result = PromiseLike<{ error: { code: string; message: string } | null; status?: number }>;
type Write = () => Result;
const from = (table: string) => untyped(owner).from(table);
const expense = (fields: Record<string, unknown>) =>
  from('transactions').insert({
    org_id: orgId,
    kind: 'expense',
    booked_on: '2026-02-01',
    amount_minor: 100,
    currency: 'SEK',
    account_id: bank,
    ...fields,
  });

const amounts: Array<[string, Write]> = [
  ['an expense', () => expense({ amount_minor: TOO_MUCH })],
  [
    'a transfer',
    () =>
      from('transactions').insert({
        org_id: orgId,
        kind: 'transfer',
        booked_on: '2026-02-01',
        amount_minor: TOO_MUCH,
        currency: 'SEK',
        account_id: bank,
        to_account_id: savings,
      }),
  ],
  [
    'an opening balance below the bound',
    () => from('accounts').update({ opening_balance_minor: -TOO_MUCH }).eq('id', bank),
  ],
  [
    'a budget',
    () => from('categories').update({ monthly_budget_minor: TOO_MUCH }).eq('org_id', orgId).eq('key', 'groceries'),
  ],
  ['a contract', () => from('contracts').update({ amount_minor: TOO_MUCH }).eq('id', contractId)],
  [
    'an insurance premium',
    () => from('insurances').insert({ org_id: orgId, kind: 'home', premium_minor: TOO_MUCH, currency: 'SEK' }),
  ],
  [
    'a vehicle event',
    () =>
      from('vehicle_events').insert({
        org_id: orgId,
        vehicle_id: vehicleId,
        kind: 'service',
        occurred_on: '2026-02-01',
        amount_minor: TOO_MUCH,
        currency: 'SEK',
      }),
  ],
  [
    'a vehicle price',
    () => from('vehicles').update({ purchase_price_minor: TOO_MUCH, currency: 'SEK' }).eq('id', vehicleId),
  ],
  [
    'a property price',
    () =>
      from('properties').insert({
        org_id: orgId,
        kind: 'house',
        name: 'Villa',
        purchase_price_minor: TOO_MUCH,
        currency: 'SEK',
      }),
  ],
  [
    'a warranty price',
    () =>
      from('warranties').insert({
        org_id: orgId,
        product: 'Dishwasher',
        purchased_on: '2026-01-10',
        warranty_months: 24,
        price_minor: TOO_MUCH,
        currency: 'SEK',
      }),
  ],
  [
    'a maintenance estimate',
    () =>
      from('maintenance_tasks').insert({
        org_id: orgId,
        title: 'Roof',
        estimated_cost_minor: TOO_MUCH,
        currency: 'SEK',
      }),
  ],
];

const badDays = ['infinity', '-infinity', '10000-01-01', '0044-03-15 BC', '1899-12-31', '2201-01-01'];

const names: Array<[string, (name: string) => Result]> = [
  ['a tag', (name) => from('tags').insert({ org_id: orgId, name })],
  ['a category', (name) => from('categories').update({ name }).eq('org_id', orgId).eq('key', 'groceries')],
  ['an account', (name) => from('accounts').update({ name }).eq('id', bank)],
  ['a vendor', (name) => from('vendors').insert({ org_id: orgId, name })],
  ['a contract', (name) => from('contracts').update({ name }).eq('id', contractId)],
  ['a vehicle registration', (name) => from('vehicles').update({ registration: name }).eq('id', vehicleId)],
  ['a property', (name) => from('properties').insert({ org_id: orgId, kind: 'house', name })],
  ['a maintenance task', (name) => from('maintenance_tasks').insert({ org_id: orgId, title: name })],
  ['an organization', (name) => from('organizations').update({ name }).eq('id', orgId)],
  ['a profile', (name) => from('profiles').update({ display_name: name }).eq('user_id', owner.user.id)],
];
const blankNames = ['   ', '\u200b', '\u00a0\u2060\ufeff', '\t\r\n', '\u3164\u200d'];

describe('an amount beyond 10^15 minor units', () => {
  it.each(amounts)('is refused in %s with AMOUNT_OUT_OF_RANGE', async (_, write) => {
    const { error } = await write();
    expect(error).toMatchObject({ code: 'PT400', message: 'AMOUNT_OUT_OF_RANGE' });
  });

  it('is refused in the credit ledger, whoever posts it', async () => {
    const posted = adminSql`select private.post_credits(${orgId}, ${TOO_MUCH}, 'grant', 'A fortune', null, 'bounds-test')`;
    await expect(posted).rejects.toMatchObject({ code: 'PT400', message: 'AMOUNT_OUT_OF_RANGE' });
  });

  it('stops at the bound itself: 10^15 is taken', async () => {
    const largest = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2026-02-02',
      amount_minor: MOST,
      currency: 'SEK',
      account_id: bank,
      category_id: await categoryId(owner, orgId, 'groceries'),
    });
    expect(largest.amount_minor).toBe(MOST);
  });
});

describe('a calendar day outside 1900-2200', () => {
  it.each(badDays)('%s is refused on a transaction with DATE_OUT_OF_RANGE', async (day) => {
    const { error } = await expense({ booked_on: day });
    expect(error).toMatchObject({ code: 'PT400', message: 'DATE_OUT_OF_RANGE' });
  });

  it.each([
    ['a contract start', () => from('contracts').update({ starts_on: 'infinity' }).eq('id', contractId)],
    ['a vehicle purchase', () => from('vehicles').update({ purchased_on: '-infinity' }).eq('id', vehicleId)],
    [
      'a warranty end',
      () =>
        from('warranties').insert({
          org_id: orgId,
          product: 'Oven',
          purchased_on: '2026-01-01',
          ends_on: '10000-01-01',
        }),
    ],
    ['an opening date', () => from('accounts').update({ opening_on: '0001-01-01 BC' }).eq('id', bank)],
  ] as Array<[string, Write]>)('is refused in %s', async (_, write) => {
    const { error } = await write();
    expect(error).toMatchObject({ code: 'PT400', message: 'DATE_OUT_OF_RANGE' });
  });

  it('takes the last day of 2200 and the first of 1900', async () => {
    for (const day of ['1900-01-01', '2200-12-31']) {
      const { error } = await expense({ booked_on: day });
      expect(error, day).toBeNull();
    }
  });
});

describe('a name that shows nothing', () => {
  const cases = names.flatMap(([what, write]) =>
    blankNames.map((name) => [what, JSON.stringify(name), write, name] as const),
  );
  it.each(cases)('is refused for %s: %s', async (_, __, write, name) => {
    const { error } = await write(name);
    expect(error).toMatchObject({ code: 'PT400', message: 'NAME_INVALID' });
  });

  it('is taken once it shows a character, spaces and joiners around it', async () => {
    const { error } = await from('tags').insert({ org_id: orgId, name: '\u200b Ö\u00a0' });
    expect(error).toBeNull();
  });
});

describe('a view that only reads', () => {
  const views: Array<[string, string, Record<string, unknown>]> = [
    ['billing_status', 'org_id', { state: 'active' }],
    ['contract_overview', 'id', { name: 'Renamed' }],
  ];

  it.each(views)('%s refuses a member’s writes with a 4xx', async (view, key, fields) => {
    const update = await from(view).update(fields).not(key, 'is', null);
    const insert = await from(view).insert(fields);
    const remove = await from(view).delete().not(key, 'is', null);
    for (const { status, error } of [update, insert, remove]) {
      expect(status).toBe(403);
      expect(error).toMatchObject({ code: '42501' });
    }
  });

  it.each(views)('%s refuses the secret key’s writes with VIEW_READ_ONLY', async (view, _, fields) => {
    const service = untyped({ client: serviceClient() });
    const update = await service.from(view).update(fields).eq('org_id', orgId);
    const remove = await service.from(view).delete().eq('org_id', orgId);
    for (const { status, error } of [update, remove]) {
      expect(status).toBe(405);
      expect(error).toMatchObject({ code: 'PT405', message: 'VIEW_READ_ONLY' });
    }
  });
});
