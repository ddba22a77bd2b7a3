import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { signUpUser } from '../helpers/clients.ts';
import { addTransaction, categoryIds } from '../helpers/finance.ts';
import { personalOrg, signUpHousehold } from '../helpers/organizations.ts';

/**
 * Categories through the Data API, in a Swedish household: the default tree, two levels,
 * deleting one in use, changing its kind.
 */

let owner: TestUser;
let orgId: string;
let groceries: string;
let restaurants: string;
let food: string;
let salary: string;

beforeAll(async () => {
  ({ owner, orgId } = await signUpHousehold('fin'));
  ({ groceries, restaurants, food, salary } = await categoryIds(owner, orgId));
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
    await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-03-03',
      amount_minor: 9900,
      currency: 'SEK',
      category_id: restaurants,
    });
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
