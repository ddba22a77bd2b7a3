import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { addExchangeRate } from '../helpers/finance.ts';
import { addVehicle, addVehicleEvent, type VehicleEventInput } from '../helpers/home.ts';
import { householdWithMembers, signUpHousehold } from '../helpers/organizations.ts';

/**
 * vehicle_stats(): costs by kind and month in the base currency, cost per km and consumption,
 * checked against numbers computed by hand.
 */
let member: TestUser;
let viewer: TestUser;
let orgId: string;
let outsider: TestUser;

beforeAll(async () => {
  const [household, other] = await Promise.all([householdWithMembers('car'), signUpHousehold('caroutsider')]);
  ({ member, viewer, orgId } = household);
  ({ owner: outsider } = other);
});

const addEvent = (vehicleId: string, event: VehicleEventInput, user = member) =>
  addVehicleEvent(user, orgId, vehicleId, event);

describe('vehicle_stats', () => {
  let carId: string;

  beforeAll(async () => {
    carId = (await addVehicle(member, orgId)).id;
    await addExchangeRate(member, orgId, 'NOK', '2026-03-25', 0.95);
    const events: VehicleEventInput[] = [
      { kind: 'fuel', occurred_on: '2025-12-20', odometer_km: 9500, amount_minor: 70000, litres: 35 }, // before the period
      { kind: 'fuel', occurred_on: '2026-01-05', odometer_km: 10000, amount_minor: 80000, litres: 40 },
      { kind: 'fuel', occurred_on: '2026-01-20', odometer_km: 10600, amount_minor: 60000, litres: 30 },
      { kind: 'service', occurred_on: '2026-02-03', odometer_km: 10900, amount_minor: 250000 },
      { kind: 'fuel', occurred_on: '2026-02-15', odometer_km: 11200, amount_minor: 66000, litres: 33 },
      { kind: 'charging', occurred_on: '2026-03-10', odometer_km: 11500, amount_minor: 5250, kwh: 10.5 },
      { kind: 'charging', occurred_on: '2026-03-12', odometer_km: 11600, amount_minor: 6000, kwh: 12 },
      { kind: 'parking', occurred_on: '2026-03-20', amount_minor: 3000 },
      { kind: 'toll', occurred_on: '2026-03-25', odometer_km: 11800, amount_minor: 10000, currency: 'NOK' },
      { kind: 'fuel', occurred_on: '2026-04-02', odometer_km: 12000, amount_minor: 70000, litres: 36 }, // after it
    ];
    for (const event of events) expect((await addEvent(carId, event)).error).toBeNull();
  });

  it('sums costs by kind and month in the base currency, with cost per km and consumption per 100 km', async () => {
    const { data, error } = await viewer.client.rpc('vehicle_stats', {
      vehicle_id: carId,
      from_date: '2026-01-01',
      to_date: '2026-03-31',
    });
    expect(error).toBeNull();
    // 80000 + 60000 + 250000 + 66000 + 5250 + 6000 + 3000 + 9500 (100 NOK at 0.95)
    expect(data).toEqual({
      vehicle_id: carId,
      currency: 'SEK',
      from_date: '2026-01-01',
      to_date: '2026-03-31',
      events: 8,
      total_cost_minor: 479750,
      by_kind: [
        { kind: 'service', cost_minor: 250000, events: 1 },
        { kind: 'fuel', cost_minor: 206000, events: 3 },
        { kind: 'charging', cost_minor: 11250, events: 2 },
        { kind: 'toll', cost_minor: 9500, events: 1 },
        { kind: 'parking', cost_minor: 3000, events: 1 },
      ],
      by_month: [
        { month: '2026-01', cost_minor: 140000, by_kind: { fuel: 140000 } },
        { month: '2026-02', cost_minor: 316000, by_kind: { fuel: 66000, service: 250000 } },
        { month: '2026-03', cost_minor: 23750, by_kind: { charging: 11250, parking: 3000, toll: 9500 } },
      ],
      odometer_km: 12000, // the latest reading, whatever the period
      distance_km: 1800, // 11800 - 10000
      cost_per_km_minor: 266.53, // 479750 / 1800 = 266.5277...
      // Full tank: what was tanked after the first fill-up (30 + 33) over 11200 - 10000 km.
      fuel: { litres: 103, distance_km: 1200, per_100km: 5.25 },
      charging: { kwh: 22.5, distance_km: 100, per_100km: 12 },
    });
  });

  it('shows empty months and no ratios where nothing was driven', async () => {
    const { data } = await member.client.rpc('vehicle_stats', {
      vehicle_id: carId,
      from_date: '2026-05-01',
      to_date: '2026-06-15',
    });
    expect(data).toMatchObject({
      events: 0,
      total_cost_minor: 0,
      by_kind: [],
      by_month: [
        { month: '2026-05', cost_minor: 0, by_kind: {} },
        { month: '2026-06', cost_minor: 0, by_kind: {} },
      ],
      distance_km: null,
      cost_per_km_minor: null,
      fuel: { litres: 0, distance_km: null, per_100km: null },
    });
  });

  it('covers the last twelve months by default, refuses a reversed period, and hides other organizations', async () => {
    const { data } = await member.client.rpc('vehicle_stats', { vehicle_id: carId });
    expect((data as { by_month: unknown[] }).by_month).toHaveLength(12);
    const reversed = await member.client.rpc('vehicle_stats', {
      vehicle_id: carId,
      from_date: '2026-02-01',
      to_date: '2026-01-01',
    });
    expect(reversed.error).toMatchObject({ code: 'PT400', message: 'VALIDATION_FAILED' });
    const foreign = await outsider.client.rpc('vehicle_stats', { vehicle_id: carId });
    expect(foreign.error).toMatchObject({ code: 'PT404', message: 'RECORD_NOT_FOUND' });
  });
});
