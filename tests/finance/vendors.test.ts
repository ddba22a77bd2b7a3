import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { addTransaction, categoryIds, createAccount } from '../helpers/finance.ts';
import { householdWithMembers } from '../helpers/organizations.ts';

/**
 * Vendors through the Data API: named by a transaction's counterparty, its default category,
 * merging two.
 */

let owner: TestUser;
let viewer: TestUser;
let orgId: string;
let bank: string;
let groceries: string;
let restaurants: string;

beforeAll(async () => {
  ({ owner, viewer, orgId } = await householdWithMembers('fin'));
  bank = await createAccount(owner, orgId, { name: 'Lönekonto' });
  ({ groceries, restaurants } = await categoryIds(owner, orgId));
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
    // A payee the categorizer's merchant table does not know: only the vendor's default files it.
    const first = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-04-03',
      amount_minor: 100,
      currency: 'SEK',
      counterparty: 'Vinkällaren Söder',
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
      counterparty: 'VINKÄLLAREN SÖDER',
    });
    expect(second.category_id).toBe(restaurants);
    const chosen = await addTransaction(owner, {
      org_id: orgId,
      kind: 'expense',
      booked_on: '2025-04-05',
      amount_minor: 100,
      currency: 'SEK',
      counterparty: 'Vinkällaren Söder',
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
      counterparty: 'Vinkällaren Söder',
    });
    expect(refund.category_id).toBeNull();
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
