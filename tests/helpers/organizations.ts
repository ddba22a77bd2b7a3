import type { Database } from '@westwallet/shared';
import { expect } from 'vitest';
import type { TestUser } from './clients.ts';

export type OrgRole = Database['public']['Enums']['org_role'];

/** The personal household every user gets at sign-up. */
export async function personalOrg(user: TestUser): Promise<string> {
  const { data, error } = await user.client
    .from('organizations')
    .select('id')
    .eq('created_by', user.user.id)
    .order('created_at')
    .limit(1)
    .single();
  expect(error).toBeNull();
  return data?.id as string;
}

/** Brings `invitee` into `orgId` the way the app does: `by` invites, the invitee accepts. */
export async function join(by: TestUser, orgId: string, invitee: TestUser, role: OrgRole): Promise<void> {
  const invited = await by.client.rpc('invite_member', { org_id: orgId, email: invitee.email, role });
  expect(invited.error).toBeNull();
  const accepted = await invitee.client.rpc('accept_invitation', { invitation_id: invited.data?.id as string });
  expect(accepted.error).toBeNull();
}
