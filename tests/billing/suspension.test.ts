import { describe, expect, it } from 'vitest';
import { signUpUser } from '../helpers/clients.ts';
import { makePlatformAdmin, orgWithTag, subscribe } from './helpers.ts';

/**
 * Suspension by a platform admin: read-only with SUBSCRIPTION_INACTIVE until reinstated.
 */

describe('suspension by a platform admin', () => {
  it('makes a paying organization read-only with SUBSCRIPTION_INACTIVE until reinstated', async () => {
    const [{ org, member }, operator] = await Promise.all([orgWithTag(), signUpUser('operator')]);
    await makePlatformAdmin(operator.user.id);
    await subscribe(org.id, 'household');

    const suspended = await operator.client.rpc('suspend_organization', { org_id: org.id, reason: 'fraud check' });
    expect(suspended.error).toBeNull();
    const refused = await member.client.from('tags').insert({ org_id: org.id, name: 'x' });
    expect(refused.error).toMatchObject({ code: 'PT402', message: 'SUBSCRIPTION_INACTIVE' });
    const { data: status } = await member.client.from('billing_status').select('state').eq('org_id', org.id).single();
    expect(status?.state).toBe('suspended');

    expect((await operator.client.rpc('reinstate_organization', { org_id: org.id })).error).toBeNull();
    expect((await member.client.from('tags').insert({ org_id: org.id, name: 'x' })).error).toBeNull();
  });

  it('is refused to everyone else, owners included (PLATFORM_ADMIN_REQUIRED)', async () => {
    const { org } = await orgWithTag();
    const { error } = await org.owner.client.rpc('suspend_organization', { org_id: org.id, reason: 'no' });
    expect(error).toMatchObject({ code: 'PT403', message: 'PLATFORM_ADMIN_REQUIRED' });
  });
});
