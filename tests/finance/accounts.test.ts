import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { addTransaction, createAccount } from '../helpers/finance.ts';
import { signUpHousehold } from '../helpers/organizations.ts';

/**
 * Account balances: the opening balance plus what moved, in the account's currency.
 */

let owner: TestUser;
let orgId: string;

beforeAll(async () => {
  ({ owner, orgId } = await signUpHousehold('fin'));
});

describe('transactions', () => {
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
});
