import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { addVehicle, addVehicleEvent, type VehicleEventInput } from '../helpers/home.ts';
import { householdWithMembers } from '../helpers/organizations.ts';

/**
 * Odometer readings go forward with time: refused when they go back, one writer at a time per
 * vehicle.
 */
let member: TestUser;
let orgId: string;

beforeAll(async () => {
  ({ member, orgId } = await householdWithMembers('car'));
});

const addEvent = (vehicleId: string, event: VehicleEventInput, user = member) =>
  addVehicleEvent(user, orgId, vehicleId, event);

describe('vehicle events', () => {
  it('refuse an odometer reading that goes backwards in time with ODOMETER_INVALID', async () => {
    const car = await addVehicle(member, orgId);
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
    const car = await addVehicle(member, orgId);
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
});
