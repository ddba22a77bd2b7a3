import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import type { Organization } from '../helpers/organizations.ts';
import { attach, attachmentsOrg, files, newTag, pathIn, pdf, upload } from './files.ts';

/**
 * Attaching a file to a record: uploaded to the organization's folder, linked by a row of
 * public.attachments that takes its type and size from the stored file.
 */

let org: Organization;
let viewer: TestUser;
let member: TestUser;
let outsider: TestUser;
let outsiderOrg: string;

beforeAll(async () => {
  ({ org, viewer, member, outsider, outsiderOrg } = await attachmentsOrg());
});

describe('attaching a file to a record', () => {
  it('lets a member upload a Blob, link it to a tag, and a viewer list and download it', async () => {
    const tagId = await newTag(member, org.id);
    const objectPath = await upload(member, pathIn(org.id), pdf('ICA Maxi 412,50 SEK'));
    const { data: attachment, error } = await member.client
      .from('attachments')
      .insert({
        org_id: org.id,
        object_path: objectPath,
        file_name: 'Kvitto ICA.pdf',
        record_table: 'tags',
        record_id: tagId,
      })
      .select()
      .single();
    expect(error).toBeNull();
    expect(attachment).toMatchObject({
      file_name: 'Kvitto ICA.pdf',
      content_type: 'application/pdf',
      size_bytes: pdf('ICA Maxi 412,50 SEK').size,
    });
    expect(attachment?.reference).toMatch(/^[A-Z]\d{6}$/);

    const { data: listed } = await viewer.client
      .from('attachments')
      .select('id, file_name, object_path')
      .eq('org_id', org.id)
      .eq('record_table', 'tags')
      .eq('record_id', tagId);
    expect(listed).toEqual([{ id: attachment?.id, file_name: 'Kvitto ICA.pdf', object_path: objectPath }]);

    const download = await files(viewer).download(objectPath);
    expect(await download.data?.text()).toBe('%PDF-1.4 ICA Maxi 412,50 SEK');
    const { data: signed } = await files(viewer).createSignedUrl(objectPath, 60);
    const response = await fetch(signed?.signedUrl ?? 'http://invalid');
    expect(await response.text()).toBe('%PDF-1.4 ICA Maxi 412,50 SEK');

    const { data: folder } = await files(viewer).list(objectPath.split('/').slice(0, 2).join('/'));
    // Storage names entries relative to the folder; the local stack gives full paths.
    expect(folder?.map((f) => f.name.split('/').at(-1))).toEqual(['receipt.pdf']);
  });

  it('takes the type and size from the stored file, not from what the client claims', async () => {
    const objectPath = await upload(member, pathIn(org.id));
    const { data, error } = await member.client
      .from('attachments')
      .insert({
        org_id: org.id,
        object_path: objectPath,
        record_table: 'tags',
        record_id: await newTag(member, org.id),
        content_type: 'image/png',
        size_bytes: 1,
      })
      .select()
      .single();
    expect(error).toBeNull();
    expect(data).toMatchObject({ content_type: 'application/pdf', size_bytes: pdf().size, file_name: 'receipt.pdf' });
  });

  it('refuses to change the file an attachment describes, but moves it to another record', async () => {
    const attachment = await attach(member, org.id, await newTag(member, org.id));
    const changed = await member.client.from('attachments').update({ size_bytes: 1 }).eq('id', attachment.id);
    expect(changed.error).toMatchObject({ code: 'PT400', message: 'READ_ONLY_COLUMN' });

    const otherTag = await newTag(member, org.id);
    const moved = await member.client
      .from('attachments')
      .update({ record_id: otherTag })
      .eq('id', attachment.id)
      .select()
      .single();
    expect(moved.data?.record_id).toBe(otherTag);
  });

  it('refuses a link to a record of another organization, a trashed record or a table without records', async () => {
    const objectPath = await upload(member, pathIn(org.id));
    const trashedTag = await newTag(member, org.id);
    await member.client.from('tags').delete().eq('id', trashedTag);
    const targets = [
      { record_table: 'tags', record_id: await newTag(outsider, outsiderOrg) },
      { record_table: 'tags', record_id: trashedTag },
      { record_table: 'memberships', record_id: randomUUID() },
      { record_table: 'attachments', record_id: randomUUID() },
    ];
    for (const target of targets) {
      const { error } = await member.client
        .from('attachments')
        .insert({ org_id: org.id, object_path: objectPath, ...target });
      expect(error, target.record_table).toMatchObject({ code: 'PT404', message: 'ATTACHMENT_RECORD_NOT_FOUND' });
    }
  });

  it('refuses a path outside the organization folder and a file never uploaded', async () => {
    const tagId = await newTag(member, org.id);
    const link = (objectPath: string) =>
      member.client
        .from('attachments')
        .insert({ org_id: org.id, object_path: objectPath, record_table: 'tags', record_id: tagId });
    for (const path of [pathIn(outsiderOrg), `${org.id}/../${outsiderOrg}/x.pdf`, 'receipt.pdf', `${org.id}/`]) {
      expect((await link(path)).error, path).toMatchObject({ code: 'PT400', message: 'ATTACHMENT_PATH_INVALID' });
    }
    expect((await link(pathIn(org.id))).error).toMatchObject({ code: 'PT404', message: 'ATTACHMENT_FILE_NOT_FOUND' });
  });
});
