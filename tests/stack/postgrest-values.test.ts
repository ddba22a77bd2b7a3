import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { personalOrg } from '../helpers/organizations.ts';
import { target } from '../helpers/target.ts';

/**
 * Answers of the Data API that the local stack gets from PostgREST's behaviour rather than
 * lite's (packages/devstack/src/lite/index.ts lists these mends).
 */
describe('the Data API, as PostgREST answers', () => {
  let user: TestUser;
  let orgId: string;

  beforeAll(async () => {
    user = await signUpUser('values');
    orgId = await personalOrg(user);
  });

  it('answers numeric as a JSON number', async () => {
    const inserted = await user.client
      .from('exchange_rates')
      .insert({ org_id: orgId, currency: 'JPY', rate_date: '2026-06-01', rate: 11.5 })
      .select('rate')
      .single();
    expect(inserted.error).toBeNull();
    expect(inserted.data?.rate).toBe(11.5);
  });

  it('refuses a request without an API key', async () => {
    const response = await fetch(`${target.url}/rest/v1/organizations?select=id`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ message: 'No API key found in request' });
  });
});
