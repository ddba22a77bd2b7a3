import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { addDays, orgToday } from '../helpers/dates.ts';
import { householdWithMembers, signUpHousehold } from '../helpers/organizations.ts';

/**
 * Warranties through the Data API: the end date derived from the period, the seller found among
 * the vendors, those expiring soon.
 */
let member: TestUser;
let viewer: TestUser;
let outsider: TestUser;
let orgId: string;
let outsiderOrgId: string;
/** Today in the organization's time zone, as the database counts it. */
let today: string;

beforeAll(async () => {
  const [household, other] = await Promise.all([householdWithMembers('home'), signUpHousehold('homeoutsider')]);
  ({ member, viewer, orgId } = household);
  ({ owner: outsider, orgId: outsiderOrgId } = other);
  today = await orgToday(orgId);
});

describe('warranties', () => {
  const addWarranty = (fields: Record<string, unknown>, user = member) =>
    user.client
      .from('warranties')
      .insert({ org_id: orgId, product: 'Diskmaskin', purchased_on: '2025-01-31', ...fields })
      .select()
      .single();

  it('derive the end date from the period, or take an end date', async () => {
    const byMonths = await addWarranty({
      warranty_months: 13,
      price_minor: 899000,
      currency: 'SEK',
      serial_number: 'SN-1',
    });
    expect(byMonths.data).toMatchObject({ ends_on: '2026-02-28', warranty_months: 13, price_minor: 899000 });
    const byDate = await addWarranty({ ends_on: '2027-01-31' });
    expect(byDate.data).toMatchObject({ ends_on: '2027-01-31', warranty_months: null });
    const agreeing = await addWarranty({ warranty_months: 24, ends_on: '2027-01-31' });
    expect(agreeing.error).toBeNull();

    const longer = await member.client
      .from('warranties')
      .update({ warranty_months: 36 })
      .eq('id', byMonths.data?.id as string)
      .select()
      .single();
    expect(longer.data?.ends_on).toBe('2028-01-31');
    const toDate = await member.client
      .from('warranties')
      .update({ warranty_months: null, ends_on: '2027-06-30' })
      .eq('id', byMonths.data?.id as string)
      .select()
      .single();
    expect(toDate.data).toMatchObject({ ends_on: '2027-06-30', warranty_months: null });
  });

  it('refuse a missing, contradictory or impossible period with WARRANTY_PERIOD_INVALID', async () => {
    for (const fields of [
      {},
      { warranty_months: 24, ends_on: '2026-01-01' },
      { warranty_months: 0 },
      { ends_on: '2024-12-31' },
    ]) {
      const { error } = await addWarranty(fields);
      expect(error, JSON.stringify(fields)).toMatchObject({ code: 'PT400', message: 'WARRANTY_PERIOD_INVALID' });
    }
    const { data } = await addWarranty({ warranty_months: 24 });
    const endOnly = await member.client
      .from('warranties')
      .update({ ends_on: '2030-01-01' })
      .eq('id', data?.id as string);
    expect(endOnly.error).toMatchObject({ code: 'PT400', message: 'WARRANTY_PERIOD_INVALID' });
  });

  it('find the seller among the vendors by name, creating it on first use', async () => {
    const first = await addWarranty({ warranty_months: 24, seller: 'Elgiganten AB' });
    const second = await addWarranty({ warranty_months: 24, seller: 'ELGIGANTEN' });
    expect(first.data?.vendor_id).toBeTruthy();
    expect(second.data?.vendor_id).toBe(first.data?.vendor_id);
    const { data: vendor } = await viewer.client
      .from('vendors')
      .select('name')
      .eq('id', first.data?.vendor_id as string)
      .single();
    expect(vendor?.name).toBe('Elgiganten AB');

    const { data: foreignVendor } = await outsider.client
      .from('vendors')
      .insert({ org_id: outsiderOrgId, name: 'Webhallen' })
      .select()
      .single();
    const cross = await addWarranty({ warranty_months: 24, vendor_id: foreignVendor?.id });
    expect(cross.error).toMatchObject({ code: '23503' });
  });

  it('list those expiring within N days, soonest first, page by page', async () => {
    const { owner: fresh, orgId: freshOrg } = await signUpHousehold('warrantylist');
    const ends = [40, 20, -1, 5, 0].map((days) => addDays(today, days));
    for (const [i, ends_on] of ends.entries()) {
      const { error } = await fresh.client
        .from('warranties')
        .insert({ org_id: freshOrg, product: `Produkt ${i}`, purchased_on: addDays(today, -400), ends_on });
      expect(error).toBeNull();
    }
    const { data } = await fresh.client.rpc('expiring_warranties', { org_id: freshOrg, within_days: 30 });
    expect(data?.map((w) => w.ends_on)).toEqual([today, addDays(today, 5), addDays(today, 20)]);

    const first = await fresh.client.rpc('expiring_warranties', { org_id: freshOrg, within_days: 30, max_rows: 2 });
    const last = first.data?.at(-1);
    const next = await fresh.client.rpc('expiring_warranties', {
      org_id: freshOrg,
      within_days: 30,
      max_rows: 2,
      after_ends_on: last?.ends_on ?? undefined,
      after_id: last?.id,
    });
    expect(next.data?.map((w) => w.ends_on)).toEqual([addDays(today, 20)]);

    const tooMany = await fresh.client.rpc('expiring_warranties', { org_id: freshOrg, max_rows: 5000 });
    expect(tooMany.error).toMatchObject({ code: 'PT400', message: 'VALIDATION_FAILED' });
    const foreign = await outsider.client.rpc('expiring_warranties', { org_id: freshOrg });
    expect(foreign.error).toMatchObject({ code: 'PT403', message: 'NOT_A_MEMBER' });
  });
});
