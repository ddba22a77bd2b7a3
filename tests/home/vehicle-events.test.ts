import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { addVehicle, addVehicleEvent, type VehicleEventInput } from '../helpers/home.ts';
import { householdWithMembers, signUpHousehold } from '../helpers/organizations.ts';

/**
 * Vehicle events (fuel, charging, service, parking, tolls, tyres) through the Data API: what
 * each kind stores, base-currency amounts, the vehicle they belong to, paging, and the record
 * contract (audit, undo, sync).
 */

let owner: TestUser;
let member: TestUser;
let viewer: TestUser;
let orgId: string;
let outsider: TestUser;
let outsiderOrgId: string;

beforeAll(async () => {
  const [household, other] = await Promise.all([householdWithMembers('car'), signUpHousehold('caroutsider')]);
  ({ owner, member, viewer, orgId } = household);
  ({ owner: outsider, orgId: outsiderOrgId } = other);
});

const addEvent = (vehicleId: string, event: VehicleEventInput, user = member) =>
  addVehicleEvent(user, orgId, vehicleId, event);

describe('vehicle events', () => {
  it('store litres for fuel and kWh for charging only, and the base amount beside the amount', async () => {
    const car = await addVehicle(member, orgId);
    const fuel = await addEvent(car.id, {
      kind: 'fuel',
      occurred_on: '2026-03-01',
      amount_minor: 75050,
      litres: 40.123,
    });
    expect(fuel.error).toBeNull();
    expect(fuel.data).toMatchObject({ currency: 'SEK', base_amount_minor: 75050 });
    expect(Number(fuel.data?.litres)).toBe(40.123);
    expect(Number(fuel.data?.fx_rate)).toBe(1);

    const litresOnService = await addEvent(car.id, { kind: 'service', occurred_on: '2026-03-02', litres: 5 });
    expect(litresOnService.error).toMatchObject({
      code: '23514',
      message: expect.stringContaining('vehicle_events_litres_kind_check'),
    });
    const kwhOnFuel = await addEvent(car.id, { kind: 'fuel', occurred_on: '2026-03-02', kwh: 5 });
    expect(kwhOnFuel.error).toMatchObject({
      code: '23514',
      message: expect.stringContaining('vehicle_events_kwh_kind_check'),
    });
  });

  it('convert foreign costs at the rate of the day, or refuse with FX_RATE_MISSING', async () => {
    const car = await addVehicle(member, orgId);
    const missing = await addEvent(car.id, {
      kind: 'toll',
      occurred_on: '2026-04-10',
      amount_minor: 10000,
      currency: 'nok',
    });
    expect(missing.error).toMatchObject({ code: 'PT422', message: 'FX_RATE_MISSING' });

    const rate = await member.client
      .from('exchange_rates')
      .insert({ org_id: orgId, currency: 'NOK', rate_date: '2026-04-08', rate: 0.9512 });
    expect(rate.error).toBeNull();
    const toll = await addEvent(car.id, {
      kind: 'toll',
      occurred_on: '2026-04-10',
      amount_minor: 10000,
      currency: 'nok',
    });
    expect(toll.data).toMatchObject({ currency: 'NOK', base_amount_minor: 9512 });

    const given = await addEvent(car.id, {
      kind: 'parking',
      occurred_on: '2026-04-11',
      amount_minor: 2000,
      currency: 'EUR',
      fx_rate: 11.5,
    });
    expect(given.data).toMatchObject({ base_amount_minor: 23000 });
    // A new date without a new rate looks the rate up again (none for EUR).
    const moved = await member.client
      .from('vehicle_events')
      .update({ occurred_on: '2026-04-12' })
      .eq('id', given.data?.id as string);
    expect(moved.error).toMatchObject({ code: 'PT422', message: 'FX_RATE_MISSING' });
  });

  it('belong to a live vehicle of the same organization', async () => {
    const foreignCar = await addVehicle(outsider, outsiderOrgId);
    const foreign = await addEvent(foreignCar.id, { kind: 'parking', occurred_on: '2026-05-01' });
    expect(foreign.error).toMatchObject({ code: 'PT404', message: 'RECORD_NOT_FOUND' });

    const trashedCar = await addVehicle(member, orgId);
    await member.client.from('vehicles').delete().eq('id', trashedCar.id);
    const onTrashed = await addEvent(trashedCar.id, { kind: 'parking', occurred_on: '2026-05-01' });
    expect(onTrashed.error).toMatchObject({ code: 'PT404', message: 'RECORD_NOT_FOUND' });

    // An outsider aiming at this organization learns nothing from the checks: RLS refuses first.
    const car = await addVehicle(member, orgId);
    const intruder = await outsider.client
      .from('vehicle_events')
      .insert({ org_id: orgId, vehicle_id: car.id, kind: 'fuel', occurred_on: '2026-05-01', currency: 'SEK' });
    expect(intruder.error).toMatchObject({ code: '42501' });
  });

  it('page newest first by date and reference', async () => {
    const car = await addVehicle(member, orgId);
    for (const day of ['01', '02', '02', '03', '04']) {
      await addEvent(car.id, { kind: 'parking', occurred_on: `2026-06-${day}`, amount_minor: 100 });
    }
    const page = (after?: { occurred_on: string; reference: string }) => {
      let query = viewer.client.from('vehicle_events').select('occurred_on, reference').eq('vehicle_id', car.id);
      if (after) {
        query = query.or(
          `occurred_on.lt.${after.occurred_on},and(occurred_on.eq.${after.occurred_on},reference.lt.${after.reference})`,
        );
      }
      return query.order('occurred_on', { ascending: false }).order('reference', { ascending: false }).limit(2);
    };
    const seen: string[] = [];
    let last: { occurred_on: string; reference: string } | undefined;
    for (let i = 0; i < 4; i++) {
      const { data } = await page(last);
      if (!data?.length) break;
      seen.push(...data.map((e) => e.occurred_on));
      last = data.at(-1);
    }
    expect(seen).toEqual(['2026-06-04', '2026-06-03', '2026-06-02', '2026-06-02', '2026-06-01']);
  });

  it('are audited, undone and synced like every record', async () => {
    const car = await addVehicle(member, orgId);
    const { data: event } = await addEvent(car.id, {
      kind: 'service',
      occurred_on: '2026-07-01',
      amount_minor: 150000,
    });
    type Page = { changes: { table: string; id: string }[]; cursor: string; has_more: boolean };
    const changes: Page['changes'] = [];
    let cursor: string | undefined;
    for (let more = true; more; ) {
      const { data } = await viewer.client.rpc('sync_changes', { cursor, org_id: orgId, max_rows: 1000 });
      const page = data as Page;
      changes.push(...page.changes);
      ({ cursor, has_more: more } = page);
    }
    expect(changes).toContainEqual(expect.objectContaining({ table: 'vehicle_events', id: event?.id }));

    await member.client
      .from('vehicle_events')
      .update({ amount_minor: 125000 })
      .eq('id', event?.id as string);
    const { data: entries } = await owner.client
      .from('audit_log')
      .select('id, operation, new_values')
      .eq('table_name', 'vehicle_events')
      .eq('record_id', event?.id as string)
      .order('id', { ascending: false })
      .limit(1);
    expect(entries?.[0]).toMatchObject({
      operation: 'UPDATE',
      new_values: { amount_minor: 125000, base_amount_minor: 125000 },
    });
    const undone = await member.client.rpc('undo_change', { audit_id: entries?.[0].id as number });
    expect(undone.data).toMatchObject({ amount_minor: 150000, base_amount_minor: 150000 });
  });

  it('lock the base currency once costs are recorded in it (CURRENCY_IN_USE)', async () => {
    const { owner: fresh, orgId: freshOrg } = await signUpHousehold('carlock');
    const car = await addVehicle(fresh, freshOrg, { make: 'Kia', fuel: 'electric' });
    await addVehicleEvent(fresh, freshOrg, car.id, { kind: 'charging', occurred_on: '2026-01-01', kwh: 10 });
    const locked = await fresh.client.from('organizations').update({ base_currency: 'EUR' }).eq('id', freshOrg);
    expect(locked.error).toMatchObject({ code: 'PT409', message: 'CURRENCY_IN_USE' });
  });
});
