import { randomUUID } from 'node:crypto';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { addMember, createOrganization, type Organization, personalOrg } from '../helpers/organizations.ts';
import { addTag } from '../helpers/records.ts';

/**
 * Fixtures of the attachments suites: files in the private `attachments` bucket under an
 * organization's folder, linked by rows of public.attachments to the records they belong to.
 */

export interface AttachmentsOrg {
  org: Organization;
  viewer: TestUser;
  member: TestUser;
  /** A user of another organization, `outsiderOrg`. */
  outsider: TestUser;
  outsiderOrg: string;
}

/** An organization with a viewer and a member, and an outsider with a household of their own. */
export async function attachmentsOrg(): Promise<AttachmentsOrg> {
  const [org, outsider] = await Promise.all([createOrganization('attachments'), signUpUser('outsider')]);
  const [viewer, member, outsiderOrg] = await Promise.all([
    addMember(org, 'viewer'),
    addMember(org, 'member'),
    personalOrg(outsider),
  ]);
  return { org, viewer, member, outsider, outsiderOrg };
}

export const files = (user: TestUser) => user.client.storage.from('attachments');
export const pdf = (text = 'receipt') => new Blob([`%PDF-1.4 ${text}`], { type: 'application/pdf' });
export const pathIn = (orgId: string, name = 'receipt.pdf') => `${orgId}/${randomUUID()}/${name}`;

/** A tag with a name of its own: the record files are attached to. */
export async function newTag(user: TestUser, orgId: string): Promise<string> {
  return (await addTag(user, orgId, `tag ${randomUUID().slice(0, 8)}`)).id;
}

export async function upload(user: TestUser, path: string, file: Blob = pdf()): Promise<string> {
  const { error } = await files(user).upload(path, file);
  if (error) throw new Error(`upload of ${path} failed: ${error.message}`);
  return path;
}

/** Uploads a PDF as `by` into `orgId`'s folder and links it to the record; answers the attachment row. */
export async function attach(by: TestUser, orgId: string, recordId: string, recordTable = 'tags') {
  const objectPath = await upload(by, pathIn(orgId));
  const { data, error } = await by.client
    .from('attachments')
    .insert({ org_id: orgId, object_path: objectPath, record_table: recordTable, record_id: recordId })
    .select()
    .single();
  if (error) throw new Error(`attach failed: ${error.code} ${error.message}`);
  return data;
}

export const fileExists = async (path: string) =>
  (await adminSql`select 1 from storage.objects where bucket_id = 'attachments' and name = ${path}`).length === 1;

/** A file Storage would refuse today, as if stored before the limits were lowered. */
export async function storedWithoutStorage(orgId: string, metadata: Record<string, unknown>): Promise<string> {
  const path = pathIn(orgId, 'legacy.bin');
  await adminSql`insert into storage.objects (bucket_id, name, metadata)
    values ('attachments', ${path}, ${adminSql.json(metadata as never)})`;
  return path;
}
