import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { addDays, orgToday } from '../helpers/dates.ts';
import { addProperty, addVehicle } from '../helpers/home.ts';
import { householdWithMembers, signUpHousehold } from '../helpers/organizations.ts';

/**
 * Insurances through the Data API: the premium a year, the insurer as a vendor, the vehicle or
 * property insured, the policies renewing soon.
 */
let member: TestUser;
let outsider: TestUser;
let orgId: string;
let outsiderOrgId: string;
/** Today in the organization's time zone, as the database counts it. */
let today: string;

beforeAll(async () => {
  const [household, other] = await Promise.all([householdWithMembers('home'), signUpHousehold('homeoutsider')]);
  ({ member, orgId } = household);
  ({ owner: outsider, orgId: outsiderOrgId } = other);
  today = await orgToday(orgId);
});

describe('insurances', () => {
  it('hold the premium and what it comes to a year, the insurer as a vendor, and the vehicle or property insured', async () => {
    const home = await addProperty(member, orgId, 'Radhuset');
    const { data, error } = await member.client
      .from('insurances')
      .insert({
        org_id: orgId,
        kind: 'home',
        insurer: 'Länsförsäkringar',
        policy_number: 'VH-123456',
        premium_minor: 41500,
        currency: 'sek',
        frequency: 'monthly',
        renews_on: addDays(today, 10),
        coverage_notes: 'Villahemförsäkring med allrisk',
        property_id: home.id,
      })
      .select()
      .single();
    expect(error).toBeNull();
    expect(data).toMatchObject({
      currency: 'SEK',
      annual_premium_minor: 498000,
      property_id: home.id,
      vendor_id: expect.any(String),
    });

    const quarterly = await member.client
      .from('insurances')
      .update({ frequency: 'quarterly', premium_minor: 120000 })
      .eq('id', data?.id as string)
      .select()
      .single();
    expect(quarterly.data?.annual_premium_minor).toBe(480000);

    const car = await addVehicle(member, orgId, { make: 'VW', model: 'ID.4', fuel: 'electric' });
    const both = await member.client.from('insurances').insert({
      org_id: orgId,
      kind: 'car',
      premium_minor: 1,
      currency: 'SEK',
      vehicle_id: car?.id,
      property_id: home.id,
    });
    expect(both.error).toMatchObject({ code: '23514', message: expect.stringContaining('insurances_subject_check') });

    const foreignHome = await addProperty(outsider, outsiderOrgId, 'Annans hus');
    const cross = await member.client
      .from('insurances')
      .insert({ org_id: orgId, kind: 'home', premium_minor: 1, currency: 'SEK', property_id: foreignHome.id });
    expect(cross.error).toMatchObject({ code: '23503' });
  });

  it('list the policies in force that renew within N days', async () => {
    const { owner: fresh, orgId: freshOrg } = await signUpHousehold('renewals');
    const policies = [
      { kind: 'pet', renews_on: addDays(today, 3) },
      { kind: 'car', renews_on: addDays(today, 60) },
      { kind: 'travel', renews_on: addDays(today, 7), ended_on: addDays(today, -30) },
      { kind: 'home', renews_on: addDays(today, 1) },
    ] as const;
    for (const p of policies) {
      const { error } = await fresh.client
        .from('insurances')
        .insert({ org_id: freshOrg, premium_minor: 10000, currency: 'SEK', ...p });
      expect(error).toBeNull();
    }
    const { data } = await fresh.client.rpc('renewing_insurances', { org_id: freshOrg, within_days: 30 });
    expect(data?.map((i) => i.kind)).toEqual(['home', 'pet']);
  });
});
