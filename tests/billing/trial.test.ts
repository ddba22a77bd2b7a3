import { describe, expect, it } from 'vitest';
import { signUpUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { createOrganization } from '../helpers/organizations.ts';
import { expireTrial } from './helpers.ts';

/**
 * A new organization's trial: 30 days of writing, its billing state shown to members and changed
 * only by billing.
 */

describe('a new organization', () => {
  it('is trialing for the configured 30 days and may write', async () => {
    const org = await createOrganization('trial');
    const { data, error } = await org.owner.client.from('billing_status').select('*').eq('org_id', org.id).single();
    expect(error).toBeNull();
    expect(data).toMatchObject({
      state: 'trialing',
      trial_days_left: 30,
      is_paid: false,
      in_good_standing: true,
      refusal_code: null,
      max_members: 10,
    });
    const days = (Date.parse(String(data?.trial_ends_at)) - Date.parse(String(data?.trial_started_at))) / 86_400_000;
    expect(days).toBeCloseTo(30, 3);
  });

  it('shows its billing state to members only', async () => {
    const org = await createOrganization('trialprivate');
    const outsider = await signUpUser('outsider');
    const { data } = await outsider.client.from('billing_status').select('*').eq('org_id', org.id);
    expect(data).toEqual([]);
    const { error } = await outsider.client.from('subscriptions').update({ status: 'active' }).eq('org_id', org.id);
    expect(error?.code).toBe('42501');
  });

  it('cannot change its own subscription state through the Data API', async () => {
    const org = await createOrganization('trialwrite');
    await expireTrial(org.id);
    const { error } = await org.owner.client.from('subscriptions').update({ status: 'active' }).eq('org_id', org.id);
    expect(error?.code).toBe('42501');
    const [row] = await adminSql`select status from public.subscriptions where org_id = ${org.id}`;
    expect(row.status).toBe('trialing');
  });
});
