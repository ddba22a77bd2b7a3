import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { serviceClient, signUpUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { addTransaction, createAccount } from '../helpers/finance.ts';
import { householdWithMembers } from '../helpers/organizations.ts';

/**
 * Who may write a household's transactions: not an outsider (who learns nothing and uses up
 * nothing), not a viewer.
 */

let owner: TestUser;
let viewer: TestUser;
let orgId: string;
let bank: string;

beforeAll(async () => {
  ({ owner, viewer, orgId } = await householdWithMembers('fin'));
  bank = await createAccount(owner, orgId, { name: 'Lönekonto' });
});

describe('transactions', () => {
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
    await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-06-01',
      amount_minor: 100,
      currency: 'SEK',
    });
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
