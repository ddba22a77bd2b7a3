import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { addTransaction, categoryIds, createAccount } from '../helpers/finance.ts';
import { signUpHousehold } from '../helpers/organizations.ts';

/**
 * Transfers between two accounts of a household: one transaction, counted as neither expense
 * nor income, moving both balances.
 */

let owner: TestUser;
let orgId: string;
let bank: string;
let groceries: string;

beforeAll(async () => {
  ({ owner, orgId } = await signUpHousehold('fin'));
  bank = await createAccount(owner, orgId, { name: 'Lönekonto' });
  ({ groceries } = await categoryIds(owner, orgId));
});

describe('transactions', () => {
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
});
