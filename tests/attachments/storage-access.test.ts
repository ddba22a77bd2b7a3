import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import type { Organization } from '../helpers/organizations.ts';
import { attach, attachmentsOrg, fileExists, files, newTag, pathIn, pdf, upload } from './files.ts';

/**
 * Who may touch the files in an organization's folder, and what an attachment protects.
 */

let org: Organization;
let viewer: TestUser;
let member: TestUser;
let outsider: TestUser;
let outsiderOrg: string;

beforeAll(async () => {
  ({ org, viewer, member, outsider, outsiderOrg } = await attachmentsOrg());
});

describe('who may touch the files', () => {
  it("refuses a viewer's upload", async () => {
    const path = pathIn(org.id);
    const { error } = await files(viewer).upload(path, pdf());
    expect(error).toMatchObject({ statusCode: '403' });
    expect(await fileExists(path)).toBe(false);
  });

  it("lets an outsider neither read, list, sign nor upload into the organization's folder", async () => {
    const path = await upload(member, pathIn(org.id));
    expect((await files(outsider).download(path)).data).toBeNull();
    expect((await files(outsider).createSignedUrl(path, 60)).data).toBeNull();
    expect((await files(outsider).list(org.id)).data ?? []).toEqual([]);
    expect((await files(outsider).list(path.split('/').slice(0, 2).join('/'))).data ?? []).toEqual([]);

    const planted = pathIn(org.id, 'planted.pdf');
    expect((await files(outsider).upload(planted, pdf())).error).toMatchObject({ statusCode: '403' });
    expect(await fileExists(planted)).toBe(false);
  });

  it('refuses an outsider who links a file of their own folder into the organization', async () => {
    const path = await upload(outsider, pathIn(outsiderOrg));
    const { error } = await outsider.client
      .from('attachments')
      .insert({ org_id: org.id, object_path: path, record_table: 'tags', record_id: await newTag(member, org.id) });
    expect(error?.code).toBe('42501');
  });

  it('keeps an attached file from being replaced or removed through Storage; an unattached one may go', async () => {
    const attachment = await attach(member, org.id, await newTag(member, org.id));
    await files(member).remove([attachment.object_path]);
    const replaced = await files(member).upload(attachment.object_path, pdf('forged'), { upsert: true });
    expect(replaced.error).not.toBeNull();
    expect(await (await files(member).download(attachment.object_path)).data?.text()).toBe('%PDF-1.4 receipt');

    const loose = await upload(member, pathIn(org.id));
    await files(viewer).remove([loose]);
    expect(await fileExists(loose)).toBe(true);
    await files(member).remove([loose]);
    expect(await fileExists(loose)).toBe(false);
  });
});
