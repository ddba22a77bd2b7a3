import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { join, personalOrg } from '../helpers/organizations.ts';

/**
 * Vehicles and their events through the Data API, as a browser app uses them: the record
 * contract, odometer order, base-currency amounts, links to transactions, and vehicle_stats()
 * checked against numbers computed by hand.
 */

let owner: TestUser;
let member: TestUser;
let viewer: TestUser;
let outsider: TestUser;
let orgId: string;
let outsiderOrgId: string;

beforeAll(async () => {
  [owner, member, viewer, outsider] = await Promise.all([
    signUpUser('carowner', { locale: 'sv' }),
    signUpUser('carmember'),
    signUpUser('carviewer'),
    signUpUser('caroutsider', { locale: 'sv' }),
  ]);
  [orgId, outsiderOrgId] = await Promise.all([personalOrg(owner), personalOrg(outsider)]);
  await join(owner, orgId, member, 'member');
  await join(owner, orgId, viewer, 'viewer');
});

async function addVehicle(user: TestUser, fields: Partial<{ registration: string; make: string; model: string }> = {}) {
  const { data, error } = await user.client
    .from('vehicles')
    .insert({
      org_id: user === outsider ? outsiderOrgId : orgId,
      make: 'Volvo',
      model: 'V60',
      fuel: 'plug_in_hybrid',
      ...fields,
    })
    .select()
    .single();
  expect(error).toBeNull();
  return data as NonNullable<typeof data>;
}

type EventInput = {
  kind: 'fuel' | 'charging' | 'service' | 'parking' | 'toll' | 'tyres';
  occurred_on: string;
  odometer_km?: number | null;
  amount_minor?: number;
  currency?: string;
  fx_rate?: number;
  litres?: number;
  kwh?: number;
};

function addEvent(vehicleId: string, event: EventInput, user = member) {
  return user.client
    .from('vehicle_events')
    .insert({ org_id: orgId, vehicle_id: vehicleId, currency: 'SEK', ...event })
    .select()
    .single();
}

describe('vehicles', () => {
  it('are added, changed, trashed and restored by members and only read by viewers', async () => {
    const car = await addVehicle(member, { registration: 'ABC 123', model: 'XC40' });
    expect(car).toMatchObject({
      kind: 'car',
      make: 'Volvo',
      model: 'XC40',
      reference: expect.stringMatching(/^[A-Z]\d{6}$/),
    });

    const renamed = await member.client
      .from('vehicles')
      .update({ name: 'Familjebilen' })
      .eq('id', car.id)
      .select()
      .single();
    expect(renamed.data?.name).toBe('Familjebilen');
    const byViewer = await viewer.client.from('vehicles').update({ name: 'Mine' }).eq('id', car.id).select();
    expect(byViewer.data).toEqual([]);
    const insertByViewer = await viewer.client.from('vehicles').insert({ org_id: orgId, make: 'Saab', fuel: 'petrol' });
    expect(insertByViewer.error).toMatchObject({ code: '42501' });
    const read = await viewer.client.from('vehicles').select('name').eq('id', car.id).single();
    expect(read.data?.name).toBe('Familjebilen');

    await member.client.from('vehicles').delete().eq('id', car.id);
    expect((await viewer.client.from('vehicles').select('id').eq('id', car.id)).data).toEqual([]);
    const restored = await member.client.rpc('restore_from_trash', { table_name: 'vehicles', id: car.id });
    expect(restored.data).toMatchObject({ id: car.id, deleted_at: null });
  });

  it('have one live vehicle per registration, however it is written', async () => {
    await addVehicle(member, { registration: 'XYZ 789' });
    const again = await member.client
      .from('vehicles')
      .insert({ org_id: orgId, make: 'Volvo', fuel: 'petrol', registration: 'xyz-789' });
    expect(again.error).toMatchObject({
      code: '23505',
      message: expect.stringContaining('vehicles_org_id_registration_key'),
    });
  });
});

describe('vehicle events', () => {
  it('store litres for fuel and kWh for charging only, and the base amount beside the amount', async () => {
    const car = await addVehicle(member);
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
    const car = await addVehicle(member);
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

  it('refuse an odometer reading that goes backwards in time with ODOMETER_INVALID', async () => {
    const car = await addVehicle(member);
    const first = await addEvent(car.id, { kind: 'fuel', occurred_on: '2026-01-10', odometer_km: 10000 });
    const later = await addEvent(car.id, { kind: 'fuel', occurred_on: '2026-02-10', odometer_km: 11000 });
    expect([first.error, later.error]).toEqual([null, null]);

    const belowEarlier = await addEvent(car.id, { kind: 'service', occurred_on: '2026-03-01', odometer_km: 10500 });
    expect(belowEarlier.error).toMatchObject({ code: 'PT400', message: 'ODOMETER_INVALID' });
    expect(belowEarlier.error?.details).toContain(later.data?.reference);
    const aboveLater = await addEvent(car.id, { kind: 'service', occurred_on: '2026-01-20', odometer_km: 12000 });
    expect(aboveLater.error).toMatchObject({ code: 'PT400', message: 'ODOMETER_INVALID' });
    const between = await addEvent(car.id, { kind: 'service', occurred_on: '2026-01-20', odometer_km: 10500 });
    expect(between.error).toBeNull();
    // Readings of one day may come in any order.
    const sameDay = await addEvent(car.id, { kind: 'parking', occurred_on: '2026-01-20', odometer_km: 10450 });
    expect(sameDay.error).toBeNull();

    const edited = await member.client
      .from('vehicle_events')
      .update({ odometer_km: 9000 })
      .eq('id', between.data?.id as string);
    expect(edited.error).toMatchObject({ code: 'PT400', message: 'ODOMETER_INVALID' });

    // A trashed reading no longer counts, and comes back only if it still fits.
    await member.client
      .from('vehicle_events')
      .delete()
      .eq('id', later.data?.id as string);
    const afterTrash = await addEvent(car.id, { kind: 'fuel', occurred_on: '2026-02-05', odometer_km: 11500 });
    expect(afterTrash.error).toBeNull();
    const restore = await member.client.rpc('restore_from_trash', {
      table_name: 'vehicle_events',
      id: later.data?.id as string,
    });
    expect(restore.error).toMatchObject({ code: 'PT400', message: 'ODOMETER_INVALID' });
  });

  it('are written one at a time per vehicle, so two contradicting readings cannot both land', async () => {
    const car = await addVehicle(member);
    let commitFirst = () => {};
    const held = new Promise<void>((resolve) => {
      commitFirst = resolve;
    });
    let firstPid = 0;
    const inserted = new Promise<void>((resolve) => {
      void adminSql.begin(async (sql) => {
        [{ pid: firstPid }] = await sql`select pg_backend_pid() as pid`;
        await sql`insert into public.vehicle_events (org_id, vehicle_id, kind, occurred_on, odometer_km, currency)
                  values (${orgId}, ${car.id}, 'parking', '2026-01-10', 20000, 'SEK')`;
        resolve();
        await held;
      });
    });
    await inserted;
    // A query builder runs only once awaited: start it now.
    const second = Promise.resolve(
      addEvent(car.id, { kind: 'parking', occurred_on: '2026-01-20', odometer_km: 15000 }),
    );
    let settled = false;
    void second.finally(() => {
      settled = true;
    });
    // Commit the first once the second waits for it (without the lock it would not wait, and land).
    for (let waiting = false; !waiting && !settled; ) {
      [{ waiting }] = await adminSql`select exists (select from pg_stat_activity
        where ${firstPid}::int = any (pg_blocking_pids(pid))) as waiting`;
    }
    commitFirst();
    expect((await second).error).toMatchObject({ code: 'PT400', message: 'ODOMETER_INVALID' });
  });

  it('belong to a live vehicle of the same organization', async () => {
    const foreignCar = await addVehicle(outsider);
    const foreign = await addEvent(foreignCar.id, { kind: 'parking', occurred_on: '2026-05-01' });
    expect(foreign.error).toMatchObject({ code: 'PT404', message: 'RECORD_NOT_FOUND' });

    const trashedCar = await addVehicle(member);
    await member.client.from('vehicles').delete().eq('id', trashedCar.id);
    const onTrashed = await addEvent(trashedCar.id, { kind: 'parking', occurred_on: '2026-05-01' });
    expect(onTrashed.error).toMatchObject({ code: 'PT404', message: 'RECORD_NOT_FOUND' });

    // An outsider aiming at this organization learns nothing from the checks: RLS refuses first.
    const car = await addVehicle(member);
    const intruder = await outsider.client
      .from('vehicle_events')
      .insert({ org_id: orgId, vehicle_id: car.id, kind: 'fuel', occurred_on: '2026-05-01', currency: 'SEK' });
    expect(intruder.error).toMatchObject({ code: '42501' });
  });

  it('link to the transaction that paid them, within the organization, and let go when it is purged', async () => {
    const car = await addVehicle(member);
    const { data: paid } = await member.client
      .from('transactions')
      .insert({
        org_id: orgId,
        kind: 'expense',
        booked_on: '2026-05-02',
        amount_minor: 64950,
        currency: 'SEK',
        vehicle_id: car.id,
      })
      .select()
      .single();
    expect(paid?.vehicle_id).toBe(car.id);
    const linked = await member.client
      .from('vehicle_events')
      .insert({
        org_id: orgId,
        vehicle_id: car.id,
        kind: 'fuel',
        occurred_on: '2026-05-02',
        amount_minor: 64950,
        currency: 'SEK',
        transaction_id: paid?.id,
      })
      .select()
      .single();
    expect(linked.data?.transaction_id).toBe(paid?.id);

    const { data: foreignPaid } = await outsider.client
      .from('transactions')
      .insert({ org_id: outsiderOrgId, kind: 'expense', booked_on: '2026-05-02', amount_minor: 100, currency: 'SEK' })
      .select()
      .single();
    const crossLink = await member.client
      .from('vehicle_events')
      .update({ transaction_id: foreignPaid?.id })
      .eq('id', linked.data?.id as string);
    expect(crossLink.error).toMatchObject({ code: '23503' });
    const foreignCar = await addVehicle(outsider);
    const crossVehicle = await member.client.from('transactions').insert({
      org_id: orgId,
      kind: 'expense',
      booked_on: '2026-05-02',
      amount_minor: 100,
      currency: 'SEK',
      vehicle_id: foreignCar.id,
    });
    expect(crossVehicle.error).toMatchObject({ code: '23503' });

    await member.client
      .from('transactions')
      .delete()
      .eq('id', paid?.id as string);
    await owner.client.rpc('purge_from_trash', { table_name: 'transactions', id: paid?.id as string });
    const after = await member.client
      .from('vehicle_events')
      .select('transaction_id')
      .eq('id', linked.data?.id as string)
      .single();
    expect(after.data?.transaction_id).toBeNull();

    // Purging the vehicle takes its events along and unlinks its transactions.
    const { data: fuelTx } = await member.client
      .from('transactions')
      .insert({
        org_id: orgId,
        kind: 'expense',
        booked_on: '2026-05-03',
        amount_minor: 500,
        currency: 'SEK',
        vehicle_id: car.id,
      })
      .select()
      .single();
    await member.client.from('vehicles').delete().eq('id', car.id);
    const purged = await owner.client.rpc('purge_from_trash', { table_name: 'vehicles', id: car.id });
    expect(purged.error).toBeNull();
    const [{ events }] =
      await adminSql`select count(*)::int as events from public.vehicle_events where vehicle_id = ${car.id}`;
    expect(events).toBe(0);
    const tx = await member.client
      .from('transactions')
      .select('vehicle_id')
      .eq('id', fuelTx?.id as string)
      .single();
    expect(tx.data?.vehicle_id).toBeNull();
  });

  it('page newest first by date and reference', async () => {
    const car = await addVehicle(member);
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
    const car = await addVehicle(member);
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
    const fresh = await signUpUser('carlock', { locale: 'sv' });
    const freshOrg = await personalOrg(fresh);
    const { data: car } = await fresh.client
      .from('vehicles')
      .insert({ org_id: freshOrg, make: 'Kia', fuel: 'electric' })
      .select()
      .single();
    await fresh.client.from('vehicle_events').insert({
      org_id: freshOrg,
      vehicle_id: car?.id as string,
      kind: 'charging',
      occurred_on: '2026-01-01',
      currency: 'SEK',
      kwh: 10,
    });
    const locked = await fresh.client.from('organizations').update({ base_currency: 'EUR' }).eq('id', freshOrg);
    expect(locked.error).toMatchObject({ code: 'PT409', message: 'CURRENCY_IN_USE' });
  });
});

describe('vehicle_stats', () => {
  let carId: string;

  beforeAll(async () => {
    carId = (await addVehicle(member)).id;
    await member.client
      .from('exchange_rates')
      .insert({ org_id: orgId, currency: 'NOK', rate_date: '2026-03-25', rate: 0.95 });
    const events: EventInput[] = [
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
