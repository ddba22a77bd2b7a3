import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { anonClient, serviceClient } from '../helpers/clients.ts';
import { authConfig } from './config.ts';

describe('sign-up', () => {
  it('answers a sign-up of a registered address as of a new one', async () => {
    const email = `registered-${randomUUID().slice(0, 8)}@test.westwallet.app`;
    const created = await serviceClient().auth.admin.createUser({
      email,
      password: `pw-${randomUUID()}`,
      email_confirm: true,
    });
    const registered = { email, user: created.data.user as { id: string } };
    const fresh = `fresh-${randomUUID().slice(0, 8)}@test.westwallet.app`;
    const again = await anonClient().auth.signUp({ email: registered.email, password: `pw-${randomUUID()}` });
    const first = await anonClient().auth.signUp({ email: fresh, password: `pw-${randomUUID()}` });
    if (authConfig.email.enable_confirmations) {
      // GoTrue: both answered 200 with a user and no session; the registered one gets a made-up
      // id and no identities, and no mail tells the caller anything.
      expect(again.error).toBeNull();
      expect(first.error).toBeNull();
      expect(again.data.session).toBeNull();
      expect(again.data.user?.email).toBe(registered.email);
      expect(again.data.user?.id).not.toBe(registered.user.id);
      expect(again.data.user?.identities).toEqual([]);
    } else {
      // Without confirmations a sign-up starts a session at once, so GoTrue (and the stack)
      // must say the address is taken: 422 user_already_exists.
      expect(again.error).toMatchObject({ status: 422, code: 'user_already_exists' });
      expect(first.error).toBeNull();
    }
  });
});
