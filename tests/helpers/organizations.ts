import { randomUUID } from 'node:crypto';
import type { SupabaseClient } from '@supabase/supabase-js';
import type { Database } from '@westwallet/shared';
import { type Client, signUpUser, type TestUser } from './clients.ts';
import { adminSql } from './db.ts';

/**
 * Organizations and their members, created through the real API the way the app creates them:
 * sign-up (which gives every user a personal household), create_organization(), and the
 * invitation flow (an admin invites, the invitee accepts while signed in with that email, with
 * the secret the invitation's mail carries).
 */

export type OrgRole = Database['public']['Enums']['org_role'];

export interface Organization {
  id: string;
  name: string;
  owner: TestUser;
}

/**
 * A client without the generated types, for suites that name tables and functions at run time
 * (the isolation matrix iterates the catalog, so names are strings it cannot know statically).
 */
export const untyped = (who: { client: Client }): SupabaseClient => who.client as unknown as SupabaseClient;

/** The personal household every user owns from sign-up on. */
export async function personalOrg(user: TestUser): Promise<string> {
  const { data, error } = await user.client
    .from('organizations')
    .select('id')
    .eq('created_by', user.user.id)
    .order('created_at')
    .limit(1)
    .single();
  if (error) throw new Error(`no personal organization for ${user.email}: ${error.code} ${error.message}`);
  return data.id;
}

/** A new user who creates an organization (with a unique name) through create_organization(). */
export async function createOrganization(label: string): Promise<Organization> {
  const owner = await signUpUser(label);
  const name = `${label} ${randomUUID().slice(0, 8)}`;
  const { data, error } = await owner.client.rpc('create_organization', { name });
  if (error) throw new Error(`create_organization as ${owner.email} failed: ${error.code} ${error.message}`);
  return { id: data.id, name, owner };
}

/** `by` (an admin of the organization) invites an email; returns the invitation's id. */
export async function invite(by: TestUser, orgId: string, email: string, role: OrgRole): Promise<string> {
  const { data, error } = await by.client.rpc('invite_member', { org_id: orgId, email, role });
  if (error) throw new Error(`invite_member(${email}, ${role}) failed: ${error.code} ${error.message}`);
  return data.id;
}

/**
 * The invitee accepts with the invitation's secret. The secret travels by mail, which the suites
 * would wait for; here the invitation's stored hash is replaced by one of a secret this helper
 * knows, through the test database URL, which leaves accept_invitation() itself unchanged.
 * tests/mail/invitations.test.ts follows the mailed link.
 */
export async function acceptInvitation(invitee: TestUser, invitationId: string) {
  const secret = await knownSecret(invitationId);
  return invitee.client.rpc('accept_invitation', { invitation_id: invitationId, secret });
}

/** Gives an invitation a secret the test knows (see acceptInvitation) and returns it. */
export async function knownSecret(invitationId: string): Promise<string> {
  const secret = randomUUID();
  await adminSql`update private.invitation_secrets set secret_hash = sha256(convert_to(${secret}, 'UTF8'))
                 where invitation_id = ${invitationId}`;
  return secret;
}

/** Brings `invitee` into `orgId` the way the app does: `by` invites, the invitee accepts. */
export async function join(by: TestUser, orgId: string, invitee: TestUser, role: OrgRole): Promise<void> {
  const invitationId = await invite(by, orgId, invitee.email, role);
  const { error } = await acceptInvitation(invitee, invitationId);
  if (error) throw new Error(`accept_invitation as ${invitee.email} failed: ${error.code} ${error.message}`);
}

/** A new user who joins the organization with `role`. */
export async function addMember(org: Organization, role: OrgRole, by = org.owner): Promise<TestUser> {
  const user = await signUpUser(role);
  await join(by, org.id, user, role);
  return user;
}

export interface Household {
  orgId: string;
  owner: TestUser;
}

/**
 * A new user and the personal household they own. Signed up with `locale: 'sv'` (the default
 * here), the household counts in SEK and keeps Stockholm's calendar.
 */
export async function signUpHousehold(label: string, metadata: Record<string, string> = { locale: 'sv' }) {
  const owner = await signUpUser(label, metadata);
  return { owner, orgId: await personalOrg(owner) } satisfies Household;
}

export interface SharedHousehold extends Household {
  member: TestUser;
  viewer: TestUser;
}

/** A household (in SEK unless `metadata` says otherwise) whose owner has let in a member and a viewer. */
export async function householdWithMembers(
  label: string,
  metadata: Record<string, string> = { locale: 'sv' },
): Promise<SharedHousehold> {
  const [household, member, viewer] = await Promise.all([
    signUpHousehold(`${label}owner`, metadata),
    signUpUser(`${label}member`),
    signUpUser(`${label}viewer`),
  ]);
  await join(household.owner, household.orgId, member, 'member');
  await join(household.owner, household.orgId, viewer, 'viewer');
  return { ...household, member, viewer };
}
