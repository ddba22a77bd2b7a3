import { describe, expect, it } from 'vitest';
import { anonClient, signUpUser } from '../helpers/clients.ts';
import { addMember, createOrganization } from '../helpers/organizations.ts';
import { enrollTotp, totpCode, verifyTotp } from './totp.ts';

describe('MFA with TOTP', () => {
  it('enrolls a factor with a QR code, verifies a code, and raises the session to aal2', async () => {
    const user = await signUpUser('mfa');
    const mfa = user.client.auth.mfa;
    const { factorId, secret, enrolled } = await enrollTotp(user.client);
    expect(enrolled.type).toBe('totp');
    expect(enrolled.totp.qr_code).toMatch(/^data:image\/svg\+xml;utf-8,<svg/);
    expect(enrolled.totp.uri).toMatch(/^otpauth:\/\/totp\/.+secret=/);
    expect(enrolled.totp.uri).toContain(`secret=${secret}`);

    const before = await mfa.getAuthenticatorAssuranceLevel();
    expect(before.data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal1' });
    expect(before.data?.currentAuthenticationMethods.map((m) => (typeof m === 'string' ? m : m.method))).toEqual([
      'password',
    ]);

    const challenge = await mfa.challenge({ factorId });
    expect(challenge.error).toBeNull();
    const wrongCode = totpCode(secret) === '000000' ? '111111' : '000000';
    const wrong = await mfa.verify({ factorId, challengeId: challenge.data?.id as string, code: wrongCode });
    expect(wrong.error).toMatchObject({ status: 422, code: 'mfa_verification_failed' });

    const right = await mfa.verify({ factorId, challengeId: challenge.data?.id as string, code: totpCode(secret) });
    expect(right.error).toBeNull();
    const after = await mfa.getAuthenticatorAssuranceLevel();
    expect(after.data).toMatchObject({ currentLevel: 'aal2', nextLevel: 'aal2' });
    expect(after.data?.currentAuthenticationMethods.map((m) => (typeof m === 'string' ? m : m.method)).sort()).toEqual([
      'password',
      'totp',
    ]);

    const factors = await mfa.listFactors();
    expect(factors.data?.totp).toEqual([expect.objectContaining({ id: factorId, status: 'verified' })]);

    // A new sign-in starts at aal1 and is told a second factor is due.
    const again = anonClient();
    await again.auth.signInWithPassword({ email: user.email, password: user.password });
    const fresh = await again.auth.mfa.getAuthenticatorAssuranceLevel();
    expect(fresh.data).toMatchObject({ currentLevel: 'aal1', nextLevel: 'aal2' });

    // Unenrolling a verified factor takes an aal2 session.
    const refused = await again.auth.mfa.unenroll({ factorId });
    expect(refused.error).toMatchObject({ code: 'insufficient_aal' });
    const removed = await mfa.unenroll({ factorId });
    expect(removed.error).toBeNull();
    expect((await mfa.listFactors()).data?.all).toEqual([]);
  });

  it('limits verification attempts', async () => {
    const user = await signUpUser('mfa-limit');
    const { factorId } = await enrollTotp(user.client);
    const headers = { 'X-Forwarded-For': `198.51.100.${Math.floor(Math.random() * 250) + 1}` };
    const { data } = await user.client.auth.getSession();
    const attempt = () =>
      fetch(`${(user.client as unknown as { authUrl: URL }).authUrl}/factors/${factorId}/verify`, {
        method: 'POST',
        headers: {
          ...headers,
          apikey: (user.client as unknown as { supabaseKey: string }).supabaseKey,
          authorization: `Bearer ${data.session?.access_token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ challenge_id: '00000000-0000-0000-0000-000000000000', code: '000000' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await attempt()).status);
    expect(statuses.slice(0, 30).every((status) => status === 422)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});

describe("an organization's MFA requirement", () => {
  it('keeps its data from members until their session is at aal2', async () => {
    const org = await createOrganization('mfa-org');
    const member = await addMember(org, 'member');
    const owner = org.owner;

    // Turning the requirement on takes an aal2 session itself.
    const early = await owner.client.from('organizations').update({ require_mfa: true }).eq('id', org.id).select();
    expect(early.error).toMatchObject({ message: 'MFA_REQUIRED' });

    const ownerFactor = await enrollTotp(owner.client);
    await verifyTotp(owner.client, ownerFactor.factorId, ownerFactor.secret);
    const set = await owner.client.from('organizations').update({ require_mfa: true }).eq('id', org.id).select();
    expect(set.error).toBeNull();
    expect(set.data).toEqual([expect.objectContaining({ id: org.id, require_mfa: true })]);

    // The member, at aal1, no longer reaches the organization: not its row, not its members.
    const hidden = await member.client.from('organizations').select('id').eq('id', org.id);
    expect(hidden.data).toEqual([]);
    const members = await member.client.rpc('list_members', { org_id: org.id });
    expect(members.error).toMatchObject({ message: 'MFA_REQUIRED' });

    const memberFactor = await enrollTotp(member.client);
    await verifyTotp(member.client, memberFactor.factorId, memberFactor.secret);
    const shown = await member.client.from('organizations').select('id, require_mfa').eq('id', org.id);
    expect(shown.data).toEqual([{ id: org.id, require_mfa: true }]);
    const listed = await member.client.rpc('list_members', { org_id: org.id });
    expect(listed.error).toBeNull();
    expect(listed.data).toHaveLength(2);
  });
});
