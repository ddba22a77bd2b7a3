import { describe, expect, it } from 'vitest';
import { signUpUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { acceptInvitation, join, personalOrg } from '../helpers/organizations.ts';

/** Rules that span rows hold when requests race: one reference each, always an owner. */

describe('under concurrency', () => {
  it('gives 20 parallel inserts 20 distinct references', async () => {
    const user = await signUpUser('parallel');
    const orgId = await personalOrg(user);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        user.client
          .from('tags')
          .insert({ org_id: orgId, name: `parallel ${i}` })
          .select('reference')
          .single(),
      ),
    );
    expect(results.map((r) => r.error)).toEqual(Array(20).fill(null));
    const references = results.map((r) => r.data?.reference);
    expect(new Set(references).size).toBe(20);
    // The next 20 after those the default categories took, none skipped.
    const [{ seq }] = await adminSql`select private.reference_sequence(${orgId}) as seq`;
    const next = await adminSql.unsafe(
      `select private.format_reference(n) as reference from generate_series((select last_value from ${seq}) - 19, (select last_value from ${seq})) n`,
    );
    expect(new Set(references)).toEqual(new Set(next.map((r) => r.reference)));
  });

  it('keeps an owner when two owners leave at once', async () => {
    const [first, second] = await Promise.all([signUpUser('leaver1'), signUpUser('leaver2')]);
    const orgId = await personalOrg(first);
    await join(first, orgId, second, 'owner');
    const results = await Promise.all([
      first.client.rpc('leave_organization', { org_id: orgId }),
      second.client.rpc('leave_organization', { org_id: orgId }),
    ]);
    const errors = results.map((r) => r.error?.message ?? null).sort();
    expect(errors).toEqual(['LAST_OWNER', null].sort());
    const [owners] =
      await adminSql`select count(*)::int as n from public.memberships where org_id = ${orgId} and role = 'owner'`;
    expect(owners.n).toBe(1);
  });

  it('keeps exactly one owner while invitations are accepted and ownership moves back and forth', async () => {
    const owner = await signUpUser('racer');
    const orgId = await personalOrg(owner);
    const heir = await signUpUser('racerheir');
    await join(owner, orgId, heir, 'admin');
    const invitees = await Promise.all(Array.from({ length: 8 }, (_, i) => signUpUser(`racerinvitee${i}`)));
    const invitations = await Promise.all(
      invitees.map((invitee) =>
        owner.client.rpc('invite_member', { org_id: orgId, email: invitee.email, role: 'member' }),
      ),
    );

    const results = await Promise.all([
      ...invitees.map((invitee, i) => acceptInvitation(invitee, invitations[i].data?.id as string)),
      owner.client.rpc('transfer_ownership', { org_id: orgId, new_owner_id: heir.user.id }),
      owner.client.rpc('leave_organization', { org_id: orgId }),
      heir.client.rpc('leave_organization', { org_id: orgId }),
      owner.client.rpc('set_member_role', { org_id: orgId, user_id: owner.user.id, role: 'member' }),
    ]);
    // Every acceptance succeeds; the ownership moves succeed or fail with a code, never half-way.
    expect(results.slice(0, 8).map((r) => r.error)).toEqual(Array(8).fill(null));
    for (const { error } of results.slice(8)) {
      if (error) expect(['LAST_OWNER', 'ROLE_FORBIDDEN', 'NOT_A_MEMBER', 'MEMBER_NOT_FOUND']).toContain(error.message);
    }
    const [counts] = await adminSql`
      select count(*) filter (where role = 'owner')::int as owners, count(*)::int as members
      from public.memberships where org_id = ${orgId}`;
    expect(counts.owners).toBeGreaterThanOrEqual(1);
    expect(counts.members).toBeGreaterThanOrEqual(8);
  });

  it('refuses, at commit, SQL that would leave an organization without an owner', async () => {
    const user = await signUpUser('sqlowner');
    const orgId = await personalOrg(user);
    await expect(
      adminSql`update public.memberships set role = 'admin' where org_id = ${orgId} and user_id = ${user.user.id}`,
    ).rejects.toMatchObject({ message: 'LAST_OWNER' });
  });
});
