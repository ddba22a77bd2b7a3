import { describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { addExchangeRate, addTransaction, categoryIds, createAccount } from '../helpers/finance.ts';
import { signUpHousehold } from '../helpers/organizations.ts';

/**
 * The totals behind the statistics follow every kind of edit the finance suites make: a category
 * deleted with its transactions moved, vendors merged, foreign currencies, transfers, splits, the
 * trash and restoring from it.
 */

describe('the totals behind the statistics', () => {
  it('equal a fresh aggregate of the raw rows after moves, merges, transfers, splits and restores', async () => {
    const { owner, orgId } = await signUpHousehold('totals');
    const { groceries, restaurants, food, home_furnishing: homeFurnishing } = await categoryIds(owner, orgId);
    const bank = await createAccount(owner, orgId, { name: 'Lönekonto' });
    const savings = await createAccount(owner, orgId, { kind: 'savings', name: 'Buffert' });
    await addExchangeRate(owner, orgId, 'EUR', '2025-05-09', 10.9512);
    const expense = { org_id: orgId, kind: 'expense' as const, currency: 'SEK' };

    // A category deleted while in use: its transactions move to another.
    const { data: coffee } = await owner.client
      .from('categories')
      .insert({ org_id: orgId, kind: 'expense', name: 'Kaffe', parent_id: food })
      .select()
      .single();
    await addTransaction(owner, { ...expense, booked_on: '2025-03-02', amount_minor: 4500, category_id: coffee?.id });
    expect(
      (await owner.client.rpc('delete_category', { category_id: coffee?.id as string, move_to: restaurants })).error,
    ).toBeNull();

    // Two vendors merged: the source's transactions follow the target.
    const a = await addTransaction(owner, {
      ...expense,
      booked_on: '2025-11-01',
      amount_minor: 100,
      counterparty: 'Hemköp City',
    });
    const b = await addTransaction(owner, {
      ...expense,
      booked_on: '2025-11-02',
      amount_minor: 200,
      counterparty: 'Hemkop',
    });
    const merged = await owner.client.rpc('merge_vendors', {
      source_id: b.vendor_id as string,
      target_id: a.vendor_id as string,
    });
    expect(merged.error).toBeNull();

    // A foreign purchase on a card, its currency changed afterwards; a transfer, corrected.
    const euro = await addTransaction(owner, {
      ...expense,
      booked_on: '2025-05-10',
      amount_minor: 1999,
      currency: 'EUR',
      account_id: bank,
      category_id: restaurants,
    });
    await owner.client.from('transactions').update({ currency: 'SEK' }).eq('id', euro.id);
    const transfer = await addTransaction(owner, {
      org_id: orgId,
      kind: 'transfer',
      booked_on: '2025-07-25',
      amount_minor: 500000,
      currency: 'SEK',
      account_id: bank,
      to_account_id: savings,
    });
    await owner.client.from('transactions').update({ amount_minor: 400000 }).eq('id', transfer.id);

    // A receipt split between categories; a refund trashed and restored.
    const receipt = await addTransaction(owner, {
      ...expense,
      booked_on: '2025-09-14',
      amount_minor: 100000,
      counterparty: 'Coop Forum',
      category_id: groceries,
    });
    const split = await owner.client.rpc('set_transaction_splits', {
      transaction_id: receipt.id,
      parts: [
        { category_id: groceries, amount_minor: 70000 },
        { category_id: homeFurnishing, amount_minor: 30000 },
      ],
    });
    expect(split.error).toBeNull();
    const refund = await addTransaction(owner, {
      org_id: orgId,
      kind: 'income',
      booked_on: '2025-08-03',
      amount_minor: 500,
      currency: 'SEK',
      account_id: bank,
    });
    await owner.client.from('transactions').delete().eq('id', refund.id);
    await owner.client.rpc('restore_from_trash', { table_name: 'transactions', id: refund.id });

    const drift = await adminSql`select * from private.monthly_totals_drift(${orgId})`;
    expect(JSON.stringify(drift)).toBe('[]');
  });
});
