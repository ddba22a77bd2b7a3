import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { addTransaction, categoryId, categoryIds } from '../helpers/finance.ts';
import { signUpHousehold } from '../helpers/organizations.ts';

/**
 * Splitting a transaction between categories (set_transaction_splits), the parts always summing
 * to the whole, and what the statistics make of them.
 */

let owner: TestUser;
let orgId: string;
let groceries: string;
let salary: string;

beforeAll(async () => {
  ({ owner, orgId } = await signUpHousehold('fin'));
  ({ groceries, salary } = await categoryIds(owner, orgId));
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
