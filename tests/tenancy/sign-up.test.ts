import { describe, expect, it } from 'vitest';
import { signUpUser } from '../helpers/clients.ts';

/** What signing up gives a new user: a profile and a personal household, whatever the metadata. */

describe('a new user', () => {
  it('gets a profile and a personal household they own, in the locale they signed up with', async () => {
    const user = await signUpUser('newcomer', { display_name: 'Astrid', locale: 'sv' });
    const profile = await user.client.from('profiles').select('display_name, locale, preferences').single();
    expect(profile.data).toEqual({ display_name: 'Astrid', locale: 'sv', preferences: {} });

    const orgs = await user.client.from('organizations').select('kind, name, base_currency, locale, time_zone');
    expect(orgs.data).toEqual([
      { kind: 'household', name: 'Mitt hushåll', base_currency: 'SEK', locale: 'sv', time_zone: 'Europe/Stockholm' },
    ]);
    const members = await user.client.from('memberships').select('user_id, role');
    expect(members.data).toEqual([{ user_id: user.user.id, role: 'owner' }]);
  });

  it('keeps the sign-up going with metadata it cannot use', async () => {
    const user = await signUpUser('oddmeta', {
      locale: 'xx',
      display_name: ' \u200b\u2060 ',
      household_name: '\ufeff',
    });
    const profile = await user.client.from('profiles').select('display_name, locale').single();
    expect(profile.data).toEqual({ display_name: user.email.split('@')[0], locale: 'en' });
  });
});
