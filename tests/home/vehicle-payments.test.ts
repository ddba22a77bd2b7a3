import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { addVehicle } from '../helpers/home.ts';
import { householdWithMembers, signUpHousehold } from '../helpers/organizations.ts';

/**
 * Vehicle costs linked to the transactions that paid them, within one organization, and what
 * purging either does to the link.
 */

let owner: TestUser;
let member: TestUser;
let orgId: string;
let outsider: TestUser;
let outsiderOrgId: string;

beforeAll(async () => {
  const [household, other] = await Promise.all([householdWithMembers('car'), signUpHousehold('caroutsider')]);
  ({ owner, member, orgId } = household);
  ({ owner: outsider, orgId: outsiderOrgId } = other);
});

describe('vehicle events', () => {
  it('link to the transaction that paid them, within the organization, and let go when it is purged', async () => {
    const car = await addVehicle(member, orgId);
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
    const foreignCar = await addVehicle(outsider, outsiderOrgId);
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
});
