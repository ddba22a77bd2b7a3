import { describe, expect, it } from 'vitest';
import { signUpUser } from '../helpers/clients.ts';

/** Profiles: preferences validated in the database, private to their user. */

describe('profiles', () => {
  it('take valid preferences and refuse invalid ones in the database, naming the path', async () => {
    const user = await signUpUser('prefs');
    const good = await user.client
      .from('profiles')
      .update({ preferences: { notifications: { digest: 'weekly' }, trash: { retentionDays: 90 } } })
      .eq('user_id', user.user.id)
      .select('preferences')
      .single();
    expect(good.error).toBeNull();
    const bad = await user.client
      .from('profiles')
      .update({ preferences: { notifications: { digest: 'hourly' } } })
      .eq('user_id', user.user.id);
    expect(bad.error).toMatchObject({ code: 'PT400', message: 'PREFERENCES_INVALID' });
    expect(bad.error?.details).toContain('$.notifications.digest');

    // The trash retention preference is what new organizations of this user keep.
    const { data: org } = await user.client.rpc('create_organization', { name: 'Prefs AB', kind: 'company' });
    expect(org?.trash_retention_days).toBe(90);
  });

  it('are private to their user', async () => {
    const [one, two] = await Promise.all([signUpUser('private1'), signUpUser('private2')]);
    const seen = await one.client.from('profiles').select('user_id');
    expect(seen.data).toEqual([{ user_id: one.user.id }]);
    const changed = await one.client
      .from('profiles')
      .update({ display_name: 'Hacked' })
      .eq('user_id', two.user.id)
      .select();
    expect(changed.data).toEqual([]);
  });
});
