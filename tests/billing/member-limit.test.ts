import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signUpUser } from '../helpers/clients.ts';
import { adminSql, asRole } from '../helpers/db.ts';
import { acceptInvitation, addMember, createOrganization, invite } from '../helpers/organizations.ts';
import { createPlan, subscribe } from './helpers.ts';

/**
 * A plan's member limit, counted over members and pending invitations, the same in SQL and API.
 */

describe("a plan's member limit", () => {
  it('refuses an invitation beyond the limit, counting pending invitations (PLAN_LIMIT_REACHED)', async () => {
    const org = await createOrganization('limit');
    const plan = await createPlan({ maxMembers: 3 });
    await subscribe(org.id, plan.id);
    await addMember(org, 'member');
    await invite(org.owner, org.id, `pending-${randomUUID().slice(0, 8)}@test.westwallet.app`, 'viewer');
    const { error } = await org.owner.client.rpc('invite_member', {
      org_id: org.id,
      email: `fourth-${randomUUID().slice(0, 8)}@test.westwallet.app`,
    });
    expect(error).toMatchObject({ code: 'PT402', message: 'PLAN_LIMIT_REACHED' });
  });

  it('refuses accepting an invitation once the organization is full', async () => {
    const org = await createOrganization('limitaccept');
    const plan = await createPlan({ maxMembers: 3 });
    await subscribe(org.id, plan.id);
    const [first, second] = await Promise.all([signUpUser('first'), signUpUser('second')]);
    const firstInvitation = await invite(org.owner, org.id, first.email, 'member');
    const secondInvitation = await invite(org.owner, org.id, second.email, 'member');
    await adminSql`update public.plans set max_members = 2 where id = ${plan.id}`;

    expect((await acceptInvitation(first, firstInvitation)).error).toBeNull();
    const { error } = await acceptInvitation(second, secondInvitation);
    expect(error?.message).toBe('PLAN_LIMIT_REACHED');
    const [count] = await adminSql`select count(*)::int as n from public.memberships where org_id = ${org.id}`;
    expect(count.n).toBe(2);
  });

  it('uses the configured default without a plan limit, and checks the same in SQL as the API', async () => {
    const org = await createOrganization('limitsql');
    const [{ max_members }] = await adminSql`select max_members from public.app_settings`;
    const error = await asRole(
      { role: 'authenticated', sub: org.owner.user.id, email: org.owner.email },
      async (sql) => {
        for (let i = 1; i < max_members; i++) {
          await sql`select public.invite_member(${org.id}, ${`seat${i}-${randomUUID().slice(0, 6)}@test.westwallet.app`})`;
        }
        return sql`select public.invite_member(${org.id}, 'one-too-many@test.westwallet.app')`.catch((e) => e);
      },
    );
    expect(error).toMatchObject({ code: 'PT402', message: 'PLAN_LIMIT_REACHED' });
  });
});
