import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { addContract, contractOverview } from '../helpers/contracts.ts';
import { orgToday } from '../helpers/dates.ts';
import { adminSql } from '../helpers/db.ts';
import { householdWithMembers } from '../helpers/organizations.ts';

/**
 * Giving notice (give_notice), ending a contract, withdrawing a notice, the trash.
 */
let member: TestUser;
let viewer: TestUser;
let orgId: string;
/** Today in the organization's time zone (Europe/Stockholm): what the overview counts from. */
let today: string;

beforeAll(async () => {
  ({ member, viewer, orgId } = await householdWithMembers('contracts'));
  today = await orgToday(orgId);
});

const overview = (id: string) => contractOverview(member, id);

describe('status changes', () => {
  it('give_notice sets notice_given, today and the earliest end; a second notice is refused (CONTRACT_NOT_ACTIVE)', async () => {
    const contract = await addContract(member, orgId, { name: 'Gym', notice_period: 1, notice_period_unit: 'months' });
    const { data, error } = await member.client.rpc('give_notice', { contract_id: contract.id });
    expect(error).toBeNull();
    const [{ expected }] =
      await adminSql`select private.add_months_keeping_month_end(${today}::date, 1)::text as expected`;
    expect(data).toMatchObject({ id: contract.id, status: 'notice_given', notice_given_on: today, ends_on: expected });
    expect(await overview(contract.id)).toMatchObject({
      current_status: 'notice_given',
      effective_ends_on: expected,
      notice_deadline_on: null,
    });

    const again = await member.client.rpc('give_notice', { contract_id: contract.id });
    expect(again.error).toMatchObject({ code: 'PT409', message: 'CONTRACT_NOT_ACTIVE' });
  });

  it('give_notice after the deadline ends the contract with the next renewal term', async () => {
    const contract = await addContract(member, orgId, {
      name: 'Alarm',
      starts_on: '2027-07-01',
      binding_ends_on: '2030-06-30',
      renewal_months: 12,
      notice_period: 3,
    });
    const late = await member.client.rpc('give_notice', { contract_id: contract.id, notice_on: '2030-04-15' });
    expect(late.data).toMatchObject({ notice_given_on: '2030-04-15', ends_on: '2031-06-30' });
    const agreed = await addContract(member, orgId, { name: 'Agreed end', binding_ends_on: '2030-06-30' });
    const early = await member.client.rpc('give_notice', {
      contract_id: agreed.id,
      notice_on: '2026-02-01',
      ends_on: '2026-03-31',
    });
    expect(early.data).toMatchObject({ ends_on: '2026-03-31' });
  });

  it('give_notice refuses a viewer (ROLE_FORBIDDEN) and an unknown or trashed contract (CONTRACT_NOT_FOUND)', async () => {
    const contract = await addContract(member, orgId, { name: 'Spotify' });
    const byViewer = await viewer.client.rpc('give_notice', { contract_id: contract.id });
    expect(byViewer.error).toMatchObject({ code: 'PT403', message: 'ROLE_FORBIDDEN' });
    const unknown = await member.client.rpc('give_notice', { contract_id: crypto.randomUUID() });
    expect(unknown.error).toMatchObject({ code: 'PT404', message: 'CONTRACT_NOT_FOUND' });
    await member.client.from('contracts').delete().eq('id', contract.id);
    const trashed = await member.client.rpc('give_notice', { contract_id: contract.id });
    expect(trashed.error).toMatchObject({ code: 'PT404', message: 'CONTRACT_NOT_FOUND' });
  });

  it('ends today when set to ended, and withdrawing the notice clears its dates', async () => {
    const contract = await addContract(member, orgId, {
      name: 'Newspaper',
      notice_period: 14,
      notice_period_unit: 'days',
    });
    const ended = await member.client
      .from('contracts')
      .update({ status: 'ended' })
      .eq('id', contract.id)
      .select()
      .single();
    expect(ended.data).toMatchObject({ status: 'ended', ends_on: today });
    expect(await overview(contract.id)).toMatchObject({ current_status: 'ended', next_payment_on: null });

    const noticed = await member.client
      .from('contracts')
      .update({ status: 'notice_given', ends_on: null, notice_given_on: '2026-02-01' })
      .eq('id', contract.id)
      .select()
      .single();
    expect(noticed.data).toMatchObject({ notice_given_on: '2026-02-01', ends_on: '2026-02-15' });
    const active = await member.client
      .from('contracts')
      .update({ status: 'active' })
      .eq('id', contract.id)
      .select()
      .single();
    expect(active.data).toMatchObject({ status: 'active', notice_given_on: null, ends_on: null });
  });

  it('goes to the trash and comes back', async () => {
    const contract = await addContract(member, orgId, { name: 'Viaplay' });
    await member.client.from('contracts').delete().eq('id', contract.id);
    const gone = await member.client.from('contract_overview').select('id').eq('id', contract.id);
    expect(gone.data).toEqual([]);
    const trash = await viewer.client.rpc('list_trash', { org_id: orgId, of_table: 'contracts' });
    expect(trash.data?.map((r) => r.id)).toContain(contract.id);
    const restored = await member.client.rpc('restore_from_trash', { table_name: 'contracts', id: contract.id });
    expect(restored.error).toBeNull();
    expect((await overview(contract.id)).name).toBe('Viaplay');
  });
});
