import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { addVehicle } from '../helpers/home.ts';
import { householdWithMembers } from '../helpers/organizations.ts';

/**
 * Vehicles through the Data API: the record contract, and one live vehicle per registration.
 */
let member: TestUser;
let viewer: TestUser;
let orgId: string;

beforeAll(async () => {
  ({ member, viewer, orgId } = await householdWithMembers('car'));
});

describe('vehicles', () => {
  it('are added, changed, trashed and restored by members and only read by viewers', async () => {
    const car = await addVehicle(member, orgId, { registration: 'ABC 123', model: 'XC40' });
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
    await addVehicle(member, orgId, { registration: 'XYZ 789' });
    const again = await member.client
      .from('vehicles')
      .insert({ org_id: orgId, make: 'Volvo', fuel: 'petrol', registration: 'xyz-789' });
    expect(again.error).toMatchObject({
      code: '23505',
      message: expect.stringContaining('vehicles_org_id_registration_key'),
    });
  });
});
