import { beforeAll, describe, expect, it } from 'vitest';
import { serviceClient, signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { addTransaction, categoryId, createAccount } from '../helpers/finance.ts';
import { join, personalOrg } from '../helpers/organizations.ts';

/**
 * Categories, vendors, accounts, exchange rates and transactions (splits, transfers, search)
 * through the Data API, in a Swedish household (base currency SEK).
 */

let owner: TestUser;
let viewer: TestUser;
let orgId: string;
let bank: string;
let groceries: string;
let restaurants: string;
let food: string;
let salary: string;

beforeAll(async () => {
  [owner, viewer] = await Promise.all([signUpUser('finowner', { locale: 'sv' }), signUpUser('finviewer')]);
  orgId = await personalOrg(owner);
  await join(owner, orgId, viewer, 'viewer');
  bank = await createAccount(owner, orgId, { name: 'Lönekonto' });
  [groceries, restaurants, food, salary] = await Promise.all(
    ['groceries', 'restaurants', 'food', 'salary'].map((key) => categoryId(owner, orgId, key)),
  );
});

describe('categories', () => {
  it('come as a default tree in the organization’s language', async () => {
    const german = await signUpUser('de', { locale: 'de' });
    const germanOrg = await personalOrg(german);
    const { data } = await german.client
      .from('categories')
      .select('key, name, kind, parent_id')
      .eq('org_id', germanOrg);
    const byKey = new Map(data?.map((c) => [c.key, c]));
    expect(byKey.get('groceries')?.name).toBe('Lebensmittel');
    expect(byKey.get('salary')).toMatchObject({
      name: 'Gehalt',
      kind: 'income',
      parent_id: null,
    });
    const { data: swedish } = await owner.client.from('categories').select('name').eq('id', groceries).single();
    expect(swedish?.name).toBe('Livsmedel');
    expect(data?.length).toBeGreaterThan(30);
  });

  it('are two levels deep, a child of the same kind as its parent', async () => {
    const child = await owner.client
      .from('categories')
      .insert({
        org_id: orgId,
        kind: 'expense',
        name: 'Ekologiskt',
        parent_id: groceries,
      })
      .select()
      .single();
    expect(child.error?.message).toBe('CATEGORY_PARENT_INVALID');
    const wrongKind = await owner.client
      .from('categories')
      .insert({
        org_id: orgId,
        kind: 'income',
        name: 'Matpengar',
        parent_id: food,
      })
      .select()
      .single();
    expect(wrongKind.error?.message).toBe('CATEGORY_PARENT_INVALID');
    const ok = await owner.client
      .from('categories')
      .insert({
        org_id: orgId,
        kind: 'expense',
        name: 'Snacks',
        parent_id: food,
        monthly_budget_minor: 50000,
      })
      .select()
      .single();
    expect(ok.error).toBeNull();
    expect(ok.data?.reference).toMatch(/^[A-Z]\d{6}$/);
  });

  it('in use cannot be deleted until their transactions have somewhere to go', async () => {
    const { data: coffee } = await owner.client
      .from('categories')
      .insert({
        org_id: orgId,
        kind: 'expense',
        name: 'Kaffe',
        parent_id: food,
      })
      .select()
      .single();
    const spent = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-03-02',
      amount_minor: 4500,
      currency: 'SEK',
      category_id: coffee?.id,
    });
    const refused = await owner.client
      .from('categories')
      .delete()
      .eq('id', coffee?.id as string);
    expect(refused.error?.message).toBe('CATEGORY_IN_USE');
    const withoutTarget = await owner.client.rpc('delete_category', {
      category_id: coffee?.id as string,
    });
    expect(withoutTarget.error?.message).toBe('CATEGORY_IN_USE');
    const toIncome = await owner.client.rpc('delete_category', {
      category_id: coffee?.id as string,
      move_to: salary,
    });
    expect(toIncome.error?.message).toBe('CATEGORY_KIND_MISMATCH');

    const moved = await owner.client.rpc('delete_category', {
      category_id: coffee?.id as string,
      move_to: restaurants,
    });
    expect(moved.error).toBeNull();
    const { data: after } = await owner.client.from('transactions').select('category_id').eq('id', spent.id).single();
    expect(after?.category_id).toBe(restaurants);
    const { data: gone } = await owner.client
      .from('categories')
      .select()
      .eq('id', coffee?.id as string);
    expect(gone).toEqual([]);
  });

  it('change kind only while nothing uses them', async () => {
    const kindOf = (id: string, kind: 'expense' | 'income') =>
      owner.client.from('categories').update({ kind }).eq('id', id).select('kind');
    // Food has children and transactions: its kind stays.
    expect((await kindOf(food, 'income')).error?.message).toBe('CATEGORY_IN_USE');
    const { data: fresh } = await owner.client
      .from('categories')
      .insert({ org_id: orgId, kind: 'expense', name: 'Lotteri' })
      .select()
      .single();
    const changed = await kindOf(fresh?.id as string, 'income');
    expect(changed.error).toBeNull();
    expect(changed.data).toEqual([{ kind: 'income' }]);
  });
});

describe('transactions', () => {
  it('name their vendor by counterparty, created on first use and matched however it is written', async () => {
    const first = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-04-01',
      amount_minor: 34900,
      currency: 'SEK',
      account_id: bank,
      counterparty: 'Willys Hemma AB',
      category_id: groceries,
      payment_method: 'card',
    });
    const second = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-04-02',
      amount_minor: 12000,
      currency: 'SEK',
      counterparty: 'WILLYS HEMMA',
      category_id: groceries,
    });
    expect(first.vendor_id).not.toBeNull();
    expect(second.vendor_id).toBe(first.vendor_id);
    const { data: vendor } = await owner.client
      .from('vendors')
      .select()
      .eq('id', first.vendor_id as string)
      .single();
    expect(vendor).toMatchObject({
      name: 'Willys Hemma AB',
      normalized_name: 'willys hemma',
    });
    expect(first).toMatchObject({
      base_amount_minor: 34900,
      account_amount_minor: 34900,
      fx_rate: 1,
    });
    // A corrected counterparty names its own vendor; a vendor chosen with it wins.
    const { data: renamed } = await owner.client
      .from('transactions')
      .update({ counterparty: 'Hemköp Odenplan' })
      .eq('id', second.id)
      .select('vendor_id')
      .single();
    expect(renamed?.vendor_id).not.toBe(first.vendor_id);
    const { data: chosen } = await owner.client
      .from('transactions')
      .update({
        counterparty: 'WILLYS HEMMA 1234 STHLM',
        vendor_id: first.vendor_id,
      })
      .eq('id', second.id)
      .select('vendor_id')
      .single();
    expect(chosen?.vendor_id).toBe(first.vendor_id);
  });

  it('land in their vendor’s default category unless given one', async () => {
    const first = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-04-03',
      amount_minor: 100,
      currency: 'SEK',
      counterparty: 'Systembolaget',
    });
    expect(first.category_id).toBeNull();
    await owner.client
      .from('vendors')
      .update({ default_category_id: restaurants })
      .eq('id', first.vendor_id as string);
    const second = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-04-04',
      amount_minor: 100,
      currency: 'SEK',
      counterparty: 'SYSTEMBOLAGET',
    });
    expect(second.category_id).toBe(restaurants);
    const chosen = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-04-05',
      amount_minor: 100,
      currency: 'SEK',
      counterparty: 'Systembolaget',
      category_id: groceries,
    });
    expect(chosen.category_id).toBe(groceries);
    // An income from the same vendor does not take an expense category.
    const refund = await addTransaction(owner, {
      org_id: orgId,
      kind: 'income',
      booked_on: '2025-04-06',
      amount_minor: 100,
      currency: 'SEK',
      counterparty: 'Systembolaget',
    });
    expect(refund.category_id).toBeNull();
  });

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

  it('move between two accounts as one transfer, counted as neither expense nor income', async () => {
    const savings = await createAccount(owner, orgId, {
      kind: 'savings',
      name: 'Buffert',
      opening_balance_minor: 1000000,
    });
    const before = await owner.client.rpc('expense_stats', {
      org_id: orgId,
      year: 2025,
    });
    const transfer = await addTransaction(owner, {
      org_id: orgId,
      kind: 'transfer',
      booked_on: '2025-07-25',
      amount_minor: 500000,
      currency: 'SEK',
      account_id: bank,
      to_account_id: savings,
    });
    expect(transfer.to_amount_minor).toBe(500000);
    const after = await owner.client.rpc('expense_stats', {
      org_id: orgId,
      year: 2025,
    });
    expect(after.data).toEqual(before.data);

    const { data: balances } = await owner.client.rpc('account_balances', {
      org_id: orgId,
    });
    expect(balances?.find((b) => b.account_id === savings)?.balance_minor).toBe(1500000);

    // Corrected amount: what arrives follows what was sent, so both accounts move by the same.
    const corrected = await owner.client
      .from('transactions')
      .update({ amount_minor: 400000 })
      .eq('id', transfer.id)
      .select('to_amount_minor')
      .single();
    expect(corrected.data?.to_amount_minor).toBe(400000);
    const { data: after400 } = await owner.client.rpc('account_balances', {
      org_id: orgId,
    });
    expect(after400?.find((b) => b.account_id === savings)?.balance_minor).toBe(1400000);

    const sameAccount = await owner.client
      .from('transactions')
      .insert({
        org_id: orgId,
        kind: 'transfer',
        booked_on: '2025-07-25',
        amount_minor: 1,
        currency: 'SEK',
        account_id: bank,
        to_account_id: bank,
      })
      .select();
    expect(sameAccount.error?.message).toBe('TRANSFER_ACCOUNTS_INVALID');
    const categorized = await owner.client
      .from('transactions')
      .insert({
        org_id: orgId,
        kind: 'transfer',
        booked_on: '2025-07-25',
        amount_minor: 1,
        currency: 'SEK',
        account_id: bank,
        to_account_id: savings,
        category_id: groceries,
      })
      .select();
    expect(categorized.error?.message).toBe('CATEGORY_KIND_MISMATCH');
  });

  it('keep account balances as opening balance plus what moved, in the account’s currency', async () => {
    const card = await createAccount(owner, orgId, {
      kind: 'card',
      name: 'Kreditkort',
      opening_balance_minor: -2000,
    });
    await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-08-01',
      amount_minor: 3000,
      currency: 'SEK',
      account_id: card,
    });
    const refund = await addTransaction(owner, {
      org_id: orgId,
      kind: 'income',
      booked_on: '2025-08-03',
      amount_minor: 500,
      currency: 'SEK',
      account_id: card,
    });
    const balance = async () =>
      (await owner.client.rpc('account_balances', { org_id: orgId })).data?.find((b) => b.account_id === card)
        ?.balance_minor;
    expect(await balance()).toBe(-4500);
    await owner.client.from('transactions').delete().eq('id', refund.id);
    expect(await balance()).toBe(-5000);
    await owner.client.rpc('restore_from_trash', {
      table_name: 'transactions',
      id: refund.id,
    });
    expect(await balance()).toBe(-4500);
  });

  it('lock the base currency and an account’s currency once transactions use them', async () => {
    const baseChange = await owner.client
      .from('organizations')
      .update({ base_currency: 'EUR' })
      .eq('id', orgId)
      .select();
    expect(baseChange.error?.message).toBe('CURRENCY_IN_USE');
    const accountChange = await owner.client.from('accounts').update({ currency: 'NOK' }).eq('id', bank).select();
    expect(accountChange.error?.message).toBe('CURRENCY_IN_USE');
  });

  it('refuse an outsider before creating a vendor or naming an account of the organization', async () => {
    const outsider = await signUpUser('finoutsider');
    const [{ seq }] = await adminSql`select private.reference_sequence(${orgId}) as seq`;
    const [before] = await adminSql.unsafe(`select last_value from ${seq}`);
    const expense = {
      kind: 'expense' as const,
      booked_on: '2025-06-01',
      amount_minor: 1,
      currency: 'EUR',
      counterparty: 'Intruder AB',
    };
    const { error } = await outsider.client
      .from('transactions')
      .insert({ ...expense, org_id: orgId, account_id: bank })
      .select();
    expect(error?.code).toBe('42501');
    const [after] = await adminSql.unsafe(`select last_value from ${seq}`);
    expect(after.last_value).toBe(before.last_value);
    const [vendor] =
      await adminSql`select count(*)::int as n from public.vendors where org_id = ${orgId} and name = 'Intruder AB'`;
    expect(vendor.n).toBe(0);

    // An organization that does not exist: the outsider learns nothing, a server is told.
    const nowhere = { ...expense, org_id: crypto.randomUUID() };
    const guessed = await outsider.client.from('transactions').insert(nowhere);
    expect(guessed.error?.code).toBe('42501');
    const missing = await serviceClient().from('transactions').insert(nowhere);
    expect(missing.error).toMatchObject({
      code: 'PT404',
      message: 'ORGANIZATION_NOT_FOUND',
    });
  });

  it('are read-only for viewers', async () => {
    const { error } = await viewer.client
      .from('transactions')
      .insert({
        org_id: orgId,
        kind: 'expense',
        booked_on: '2025-06-01',
        amount_minor: 100,
        currency: 'SEK',
      })
      .select();
    expect(error?.code).toBe('42501');
    const { data } = await viewer.client.from('transactions').select('id').eq('org_id', orgId).limit(1);
    expect(data).toHaveLength(1);
  });
});

describe('splits', () => {
  it('share one transaction between categories, the parts always summing to the whole', async () => {
    const homeFurnishing = await categoryId(owner, orgId, 'home_furnishing');
    const receipt = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-09-14',
      amount_minor: 100000,
      currency: 'SEK',
      counterparty: 'Coop Forum',
      category_id: groceries,
    });
    const parts = (a: number, b: number) => [
      { category_id: groceries, amount_minor: a },
      { category_id: homeFurnishing, amount_minor: b, note: 'Kastruller' },
    ];
    const wrongSum = await owner.client.rpc('set_transaction_splits', {
      transaction_id: receipt.id,
      parts: parts(60000, 30000),
    });
    expect(wrongSum.error).toMatchObject({
      code: 'PT409',
      message: 'SPLIT_SUM_MISMATCH',
    });
    const incomeCategory = await owner.client.rpc('set_transaction_splits', {
      transaction_id: receipt.id,
      parts: [
        { category_id: salary, amount_minor: 100000 - 1 },
        { category_id: groceries, amount_minor: 1 },
      ],
    });
    expect(incomeCategory.error?.message).toBe('CATEGORY_KIND_MISMATCH');

    const split = await owner.client.rpc('set_transaction_splits', {
      transaction_id: receipt.id,
      parts: parts(70000, 30000),
    });
    expect(split.data).toMatchObject({
      is_split: true,
      category_id: null,
      amount_minor: 100000,
    });
    const { data: stored } = await owner.client
      .from('transaction_splits')
      .select('position, category_id, amount_minor, note')
      .eq('transaction_id', receipt.id)
      .order('position');
    expect(stored).toEqual([
      { position: 1, category_id: groceries, amount_minor: 70000, note: null },
      {
        position: 2,
        category_id: homeFurnishing,
        amount_minor: 30000,
        note: 'Kastruller',
      },
    ]);

    // The whole cannot change alone, nor become income under expense parts; with its parts it can.
    const alone = await owner.client.from('transactions').update({ amount_minor: 90000 }).eq('id', receipt.id).select();
    expect(alone.error?.message).toBe('SPLIT_SUM_MISMATCH');
    const toIncome = await owner.client.from('transactions').update({ kind: 'income' }).eq('id', receipt.id).select();
    expect(toIncome.error?.message).toBe('CATEGORY_KIND_MISMATCH');
    const noParts = await owner.client.rpc('set_transaction_splits', {
      transaction_id: receipt.id,
      parts: null as never,
    });
    expect(noParts.error?.message).toBe('VALIDATION_FAILED');
    const together = await owner.client.rpc('set_transaction_splits', {
      transaction_id: receipt.id,
      parts: parts(60000, 30000),
      amount_minor: 90000,
    });
    expect(together.data?.amount_minor).toBe(90000);

    const stats = (await owner.client.rpc('expense_stats', { org_id: orgId, year: 2025 })).data as {
      categories: {
        category_id: string | null;
        expense_by_month_minor: number[];
      }[];
    };
    const september = (id: string) => stats.categories.find((c) => c.category_id === id)?.expense_by_month_minor[8];
    expect(september(homeFurnishing)).toBe(30000);
    expect(september(groceries)).toBe(60000);

    const ended = await owner.client.rpc('set_transaction_splits', {
      transaction_id: receipt.id,
      parts: [],
    });
    expect(ended.data).toMatchObject({ is_split: false, category_id: null });
    const { count } = await owner.client
      .from('transaction_splits')
      .select('*', { count: 'exact', head: true })
      .eq('transaction_id', receipt.id);
    expect(count).toBe(0);
  });

  it('cannot be written directly', async () => {
    const receipt = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-09-15',
      amount_minor: 100,
      currency: 'SEK',
    });
    const { error } = await owner.client.from('transaction_splits').insert({
      org_id: orgId,
      transaction_id: receipt.id,
      position: 1,
      category_id: groceries,
      amount_minor: 100,
    });
    expect(error?.code).toBe('42501');
  });
});

describe('search', () => {
  let searchOrg: string;
  let searcher: TestUser;
  const refs: string[] = [];

  beforeAll(async () => {
    searcher = await signUpUser('search', { locale: 'sv' });
    searchOrg = await personalOrg(searcher);
    const [grocery, restaurant, salaryCategory] = await Promise.all(
      ['groceries', 'restaurants', 'salary'].map((key) => categoryId(searcher, searchOrg, key)),
    );
    const rows = Array.from({ length: 30 }, (_, i) => ({
      org_id: searchOrg,
      kind: i % 10 === 9 ? ('income' as const) : ('expense' as const),
      booked_on: `2025-10-${String(1 + Math.floor(i / 3)).padStart(2, '0')}`,
      amount_minor: 1000 * (i + 1),
      currency: 'SEK',
      counterparty: i % 10 === 9 ? 'Arbetsgivaren' : i % 2 ? 'ICA Nära Tomtebo' : 'Max Burgers',
      description: i === 4 ? '50% rabatt på glass' : null,
      category_id: i % 10 === 9 ? salaryCategory : i % 2 ? grocery : restaurant,
    }));
    const { data, error } = await searcher.client.from('transactions').insert(rows).select('reference');
    expect(error).toBeNull();
    refs.push(...(data ?? []).map((r) => r.reference));
  });

  const search = (args: Record<string, unknown>) =>
    searcher.client.rpc('search_transactions', {
      org_id: searchOrg,
      ...args,
    } as never) as unknown as Promise<{
      data:
        | {
            reference: string;
            booked_on: string;
            amount_minor: number;
            vendor_id: string | null;
          }[]
        | null;
      error: { message: string } | null;
    }>;

  it('pages newest first by keyset, never repeating or skipping a row', async () => {
    const seen: string[] = [];
    let after: { after_booked_on: string; after_reference: string } | Record<string, never> = {};
    for (;;) {
      const { data } = await search({ max_rows: 7, ...after });
      if (!data?.length) break;
      seen.push(...data.map((t) => t.reference));
      const last = data[data.length - 1];
      after = {
        after_booked_on: last.booked_on,
        after_reference: last.reference,
      };
    }
    expect(seen).toHaveLength(30);
    expect(new Set(seen)).toEqual(new Set(refs));
    expect(seen[0]).toBe(refs[29]); // the last entered on the newest day
  });

  it('filters by text (counterparty, description, vendor name), amount, date, category tree, vendor and tag', async () => {
    expect((await search({ text_query: 'ica' })).data).toHaveLength(12);
    expect((await search({ text_query: '50%' })).data?.map((t) => t.reference)).toEqual([refs[4]]);
    // The text as written, in any case: its words in another order, apart, or `_` as a wildcard find nothing.
    expect((await search({ text_query: 'Nära TOMTEBO ' })).data).toHaveLength(12);
    for (const text_query of ['tomtebo nära', 'ica tomtebo', 'ica_nära', '50 rabatt', 'max%burgers']) {
      expect((await search({ text_query })).data, text_query).toHaveLength(0);
    }
    expect(
      (
        await search({
          text_query: 'tomtebo',
          min_amount_minor: 10000,
          max_amount_minor: 20000,
        })
      ).data
        ?.map((t) => t.amount_minor)
        .sort(),
    ).toEqual([12000, 14000, 16000, 18000]);
    expect((await search({ from_date: '2025-10-09', to_date: '2025-10-10' })).data).toHaveLength(6);
    const food = await categoryId(searcher, searchOrg, 'food');
    expect((await search({ category_id: food })).data).toHaveLength(27);
    const burgers = (await search({ text_query: 'max burgers', max_rows: 1 })).data?.[0];
    expect((await search({ vendor_id: burgers?.vendor_id })).data).toHaveLength(15);
    expect((await search({ kind: 'income' })).data).toHaveLength(3);

    const { data: tag } = await searcher.client
      .from('tags')
      .insert({ org_id: searchOrg, name: 'Kvitto' })
      .select()
      .single();
    const { data: tagged } = await searcher.client
      .from('transactions')
      .select('id')
      .eq('org_id', searchOrg)
      .in('reference', refs.slice(0, 2));
    await searcher.client.from('transaction_tags').insert(
      (tagged ?? []).map((t) => ({
        org_id: searchOrg,
        transaction_id: t.id,
        tag_id: tag?.id as string,
      })),
    );
    expect((await search({ tag_id: tag?.id })).data?.map((t) => t.reference).sort()).toEqual(refs.slice(0, 2).sort());
  });

  it('embeds vendor and category names as a table query would', async () => {
    const { data, error } = await searcher.client
      .rpc('search_transactions', {
        org_id: searchOrg,
        text_query: 'tomtebo',
        max_rows: 1,
      })
      .select('reference, vendor:vendors(name), category:categories(key)');
    expect(error).toBeNull();
    expect(data).toEqual([
      {
        reference: refs[27],
        vendor: { name: 'ICA Nära Tomtebo' },
        category: { key: 'groceries' },
      },
    ]);
  });

  it('finds nothing of other organizations and refuses unbounded pages', async () => {
    const outsider = await signUpUser('outsider');
    const { data } = await outsider.client.rpc('search_transactions', {
      org_id: searchOrg,
    });
    expect(data).toEqual([]);
    expect((await search({ max_rows: 501 })).error?.message).toBe('VALIDATION_FAILED');
    expect((await search({ after_booked_on: '2025-10-01' })).error?.message).toBe('VALIDATION_FAILED');
  });

  // A page without filters runs a query of its own (kept plan); it must list what the filtered one does.
  it('lists the same rows with or without filters, the trashed left out', async () => {
    const { error } = await searcher.client
      .from('transactions')
      .delete()
      .eq('org_id', searchOrg)
      .eq('reference', refs[29]);
    expect(error).toBeNull();
    const plain = (await search({ max_rows: 500 })).data?.map((t) => t.reference);
    const filtered = (await search({ max_rows: 500, from_date: '2000-01-01' })).data?.map((t) => t.reference);
    expect(plain).toHaveLength(29);
    expect(plain).not.toContain(refs[29]);
    expect(plain).toEqual(filtered);
    // After the middle row of October 5: the first of that day, then October 4's, newest first.
    const after = {
      max_rows: 5,
      after_booked_on: '2025-10-05',
      after_reference: refs[13],
    };
    const page = (await search(after)).data?.map((t) => t.reference);
    expect(page).toEqual([12, 11, 10, 9, 8].map((i) => refs[i]));
    expect((await search({ ...after, from_date: '2000-01-01' })).data?.map((t) => t.reference)).toEqual(page);
  });
});

describe('vendors', () => {
  it('merge: transactions follow the target and the source goes to the trash', async () => {
    const a = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-11-01',
      amount_minor: 100,
      currency: 'SEK',
      counterparty: 'Hemköp City',
    });
    const b = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-11-02',
      amount_minor: 200,
      currency: 'SEK',
      counterparty: 'Hemkop',
    });
    expect(a.vendor_id).not.toBe(b.vendor_id);
    const merged = await owner.client.rpc('merge_vendors', {
      source_id: b.vendor_id as string,
      target_id: a.vendor_id as string,
    });
    expect(merged.error).toBeNull();
    const { data: moved } = await owner.client.from('transactions').select('vendor_id').eq('id', b.id).single();
    expect(moved?.vendor_id).toBe(a.vendor_id);
    const { data: trash } = await owner.client.rpc('list_trash', {
      org_id: orgId,
      of_table: 'vendors',
    });
    expect(trash?.find((t) => t.id === b.vendor_id)?.record).toMatchObject({
      merged_into_id: a.vendor_id,
    });
    // The merged name keeps leading to the vendor it was merged into.
    const again = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-11-04',
      amount_minor: 300,
      currency: 'SEK',
      counterparty: 'HEMKOP',
    });
    expect(again.vendor_id).toBe(a.vendor_id);

    const self = await owner.client.rpc('merge_vendors', {
      source_id: a.vendor_id as string,
      target_id: a.vendor_id as string,
    });
    expect(self.error?.message).toBe('VENDOR_MERGE_INVALID');
    const byViewer = await viewer.client.rpc('merge_vendors', {
      source_id: a.vendor_id as string,
      target_id: b.vendor_id as string,
    });
    expect(byViewer.error?.message).toBe('VENDOR_MERGE_INVALID'); // the source is in the trash now
  });

  it('cannot be merged by a viewer', async () => {
    const x = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-11-03',
      amount_minor: 1,
      currency: 'SEK',
      counterparty: 'Lidl Sverige',
    });
    const y = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-11-03',
      amount_minor: 1,
      currency: 'SEK',
      counterparty: 'Lidl',
    });
    const { error } = await viewer.client.rpc('merge_vendors', {
      source_id: y.vendor_id as string,
      target_id: x.vendor_id as string,
    });
    expect(error?.message).toBe('ROLE_FORBIDDEN');
  });
});

describe('the totals behind the statistics', () => {
  it('equal a fresh aggregate of the raw rows after all of the above', async () => {
    const drift = await adminSql`select * from private.monthly_totals_drift(${orgId})`;
    expect(JSON.stringify(drift)).toBe('[]');
  });
});
