import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { addTransaction, categoryIds, createAccount } from '../helpers/finance.ts';
import { signUpHousehold } from '../helpers/organizations.ts';

/**
 * Transactions in other currencies: converted to the base currency at the rate of their date,
 * accounts in their own currency, and currencies locked once in use.
 */

let owner: TestUser;
let orgId: string;
let bank: string;
let groceries: string;
let restaurants: string;

beforeAll(async () => {
  ({ owner, orgId } = await signUpHousehold('fin'));
  bank = await createAccount(owner, orgId, { name: 'Lönekonto' });
  ({ groceries, restaurants } = await categoryIds(owner, orgId));
});

describe('transactions', () => {
  it('convert to the base currency at the rate of their date, or fail with FX_RATE_MISSING', async () => {
    const euro = {
      org_id: orgId,
      kind: 'expense' as const,
      amount_minor: 1999,
      currency: 'EUR',
      category_id: restaurants,
    };
    const missing = await owner.client
      .from('transactions')
      .insert({ ...euro, booked_on: '2025-05-10' })
      .select();
    expect(missing.error).toMatchObject({
      code: 'PT422',
      message: 'FX_RATE_MISSING',
    });

    await owner.client.from('exchange_rates').insert([
      {
        org_id: orgId,
        currency: 'EUR',
        rate_date: '2025-05-09',
        rate: 10.9512,
      },
      {
        org_id: orgId,
        currency: 'EUR',
        rate_date: '2025-05-01',
        rate: 11.0001,
      },
    ]);
    // Saturday: Friday's rate; 1999 cents × 10.9512 = 21891.4 öre.
    const weekend = await addTransaction(owner, {
      ...euro,
      booked_on: '2025-05-10',
    });
    expect(weekend).toMatchObject({
      fx_rate: 10.9512,
      base_amount_minor: 21891,
    });
    // More than 7 days after the last rate: no guessing.
    const stale = await owner.client
      .from('transactions')
      .insert({ ...euro, booked_on: '2025-05-17' })
      .select();
    expect(stale.error?.message).toBe('FX_RATE_MISSING');
    // The rate on the bank statement wins.
    const given = await addTransaction(owner, {
      ...euro,
      booked_on: '2025-05-17',
      fx_rate: 11.2,
    });
    expect(given.base_amount_minor).toBe(22389);
    // A base-currency card pays a foreign purchase with the base amount.
    const onCard = await addTransaction(owner, {
      ...euro,
      booked_on: '2025-05-09',
      account_id: bank,
    });
    expect(onCard.account_amount_minor).toBe(onCard.base_amount_minor);

    // Changing the currency converts again; a currency without minor units converts too.
    await owner.client.from('exchange_rates').insert({
      org_id: orgId,
      currency: 'JPY',
      rate_date: '2025-05-09',
      rate: 0.0672,
    });
    const { data: yen } = await owner.client
      .from('transactions')
      .update({ currency: 'JPY', amount_minor: 1500 })
      .eq('id', weekend.id)
      .select()
      .single();
    expect(yen).toMatchObject({ fx_rate: 0.0672, base_amount_minor: 10080 });
  });

  it('refuse a category of the other kind and an account in a third currency', async () => {
    const wrongKind = await owner.client
      .from('transactions')
      .insert({
        org_id: orgId,
        kind: 'income',
        booked_on: '2025-06-01',
        amount_minor: 100,
        currency: 'SEK',
        category_id: groceries,
      })
      .select();
    expect(wrongKind.error?.message).toBe('CATEGORY_KIND_MISMATCH');
    const usd = await createAccount(owner, orgId, {
      name: 'Dollar account',
      currency: 'USD',
    });
    await owner.client.from('exchange_rates').insert({
      org_id: orgId,
      currency: 'EUR',
      rate_date: '2025-06-01',
      rate: 11,
    });
    const mismatch = await owner.client
      .from('transactions')
      .insert({
        org_id: orgId,
        kind: 'expense',
        booked_on: '2025-06-01',
        amount_minor: 100,
        currency: 'EUR',
        account_id: usd,
      })
      .select();
    expect(mismatch.error?.message).toBe('ACCOUNT_CURRENCY_MISMATCH');
  });

  it('lock the base currency and an account’s currency once transactions use them', async () => {
    await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-06-02',
      amount_minor: 100,
      currency: 'SEK',
      account_id: bank,
    });
    const baseChange = await owner.client
      .from('organizations')
      .update({ base_currency: 'EUR' })
      .eq('id', orgId)
      .select();
    expect(baseChange.error?.message).toBe('CURRENCY_IN_USE');
    const accountChange = await owner.client.from('accounts').update({ currency: 'NOK' }).eq('id', bank).select();
    expect(accountChange.error?.message).toBe('CURRENCY_IN_USE');
  });
});
