import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { orgToday } from '../helpers/dates.ts';
import { addProperty } from '../helpers/home.ts';
import { householdWithMembers, signUpHousehold } from '../helpers/organizations.ts';

/**
 * Properties through the Data API: kept by members, unique by name, priced with a currency,
 * named by transactions of their own organization.
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

describe('properties', () => {
  it('are kept by members, read by viewers, unique by name, priced with a currency', async () => {
    const home = await addProperty(member, orgId, 'Villa Solbacken');
    expect(home).toMatchObject({ kind: 'house', tenure: 'owned', reference: expect.stringMatching(/^[A-Z]\d{6}$/) });
    const changed = await member.client
      .from('properties')
      .update({ purchase_price_minor: 425000000, currency: 'SEK', purchased_on: '2019-06-01', city: 'Uppsala' })
      .eq('id', home.id)
      .select()
      .single();
    expect(changed.data).toMatchObject({ purchase_price_minor: 425000000, currency: 'SEK', city: 'Uppsala' });

    const twin = await member.client
      .from('properties')
      .insert({ org_id: orgId, kind: 'cabin', name: 'villa solbacken' });
    expect(twin.error).toMatchObject({ code: '23505' });
    const priceOnly = await member.client
      .from('properties')
      .insert({ org_id: orgId, kind: 'plot', name: 'Tomt', purchase_price_minor: 1 });
    expect(priceOnly.error).toMatchObject({
      code: '23514',
      message: expect.stringContaining('properties_price_currency_check'),
    });
    const byViewer = await viewer.client.from('properties').insert({ org_id: orgId, kind: 'plot', name: 'Tomt' });
    expect(byViewer.error).toMatchObject({ code: '42501' });
    const read = await viewer.client.from('properties').select('name').eq('id', home.id).single();
    expect(read.data?.name).toBe('Villa Solbacken');
  });

  it('are named by transactions of the same organization only', async () => {
    const foreign = await addProperty(outsider, outsiderOrgId, 'Stugan');
    const cross = await member.client.from('transactions').insert({
      org_id: orgId,
      kind: 'expense',
      booked_on: today,
      amount_minor: 100,
      currency: 'SEK',
      property_id: foreign.id,
    });
    expect(cross.error).toMatchObject({ code: '23503' });
  });
});
