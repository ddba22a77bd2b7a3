import { randomUUID } from 'node:crypto';
import { adminSql } from '../helpers/db.ts';
import { addMember, createOrganization } from '../helpers/organizations.ts';

/** Arrangements only an operator could make, done as superuser: billing states and plans. */

/** Ends the organization's trial a second ago (the daily job has not run yet). */
export async function expireTrial(orgId: string): Promise<void> {
  await adminSql`update public.subscriptions set trial_ends_at = now() - interval '1 second' where org_id = ${orgId}`;
}

/** Makes the user a platform admin, as an operator does in the SQL editor. */
export async function makePlatformAdmin(userId: string): Promise<void> {
  await adminSql`insert into private.platform_admins (user_id, note) values (${userId}, 'test') on conflict do nothing`;
}

/** A plan of its own for one test (unique id), with a Stripe price id unless `price: null`. */
export async function createPlan(
  fields: { maxMembers?: number | null; monthlyCredits?: number; price?: string | null } = {},
): Promise<{ id: string; price: string | null }> {
  const id = `test-${randomUUID().slice(0, 8)}`;
  const price = fields.price === undefined ? `price_${randomUUID().replaceAll('-', '')}` : fields.price;
  await adminSql`
    insert into public.plans (id, name, stripe_price_id, monthly_credits, max_members)
    values (${id}, ${`Plan ${id}`}, ${price}, ${fields.monthlyCredits ?? 100}, ${fields.maxMembers ?? null})`;
  return { id, price };
}

/** Puts the organization on a plan, as the webhook does once it is paid. */
export async function subscribe(orgId: string, planId: string): Promise<void> {
  await adminSql`update public.subscriptions set status = 'active', read_only_reason = null, plan_id = ${planId}
                 where org_id = ${orgId}`;
}

/** An organization on trial with a member, and a tag its owner wrote before anything changed. */
export async function orgWithTag() {
  const org = await createOrganization('readonly');
  const member = await addMember(org, 'member');
  const { data: tag, error } = await org.owner.client
    .from('tags')
    .insert({ org_id: org.id, name: 'before' })
    .select()
    .single();
  if (error) throw error;
  return { org, member, tag };
}
