import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql, rolledBack } from '../helpers/db.ts';
import { addMember, createOrganization, type Organization, personalOrg } from '../helpers/organizations.ts';

/**
 * Receipts and documents: files in the private `attachments` bucket under the organization's
 * folder, each linked by a row of public.attachments to the record it belongs to.
 */

let org: Organization;
let viewer: TestUser;
let member: TestUser;
let outsider: TestUser;
let outsiderOrg: string;

const files = (user: TestUser) => user.client.storage.from('attachments');
const pdf = (text = 'receipt') => new Blob([`%PDF-1.4 ${text}`], { type: 'application/pdf' });
const pathIn = (orgId: string, name = 'receipt.pdf') => `${orgId}/${randomUUID()}/${name}`;

async function newTag(user: TestUser, orgId: string): Promise<string> {
  const { data, error } = await user.client
    .from('tags')
    .insert({ org_id: orgId, name: `tag ${randomUUID().slice(0, 8)}` })
    .select('id')
    .single();
  if (error) throw new Error(`tag insert failed: ${error.code} ${error.message}`);
  return data.id;
}

async function upload(user: TestUser, path: string, file: Blob = pdf()): Promise<string> {
  const { error } = await files(user).upload(path, file);
  if (error) throw new Error(`upload of ${path} failed: ${error.message}`);
  return path;
}

/** Uploads a PDF as `by` and links it to the record; answers the attachment row. */
async function attach(by: TestUser, recordId: string, recordTable = 'tags') {
  const objectPath = await upload(by, pathIn(org.id));
  const { data, error } = await by.client
    .from('attachments')
    .insert({ org_id: org.id, object_path: objectPath, record_table: recordTable, record_id: recordId })
    .select()
    .single();
  if (error) throw new Error(`attach failed: ${error.code} ${error.message}`);
  return data;
}

const fileExists = async (path: string) =>
  (await adminSql`select 1 from storage.objects where bucket_id = 'attachments' and name = ${path}`).length === 1;

/** A file Storage would refuse today, as if stored before the limits were lowered. */
async function storedWithoutStorage(metadata: Record<string, unknown>): Promise<string> {
  const path = pathIn(org.id, 'legacy.bin');
  await adminSql`insert into storage.objects (bucket_id, name, metadata)
    values ('attachments', ${path}, ${adminSql.json(metadata as never)})`;
  return path;
}

beforeAll(async () => {
  [org, outsider] = await Promise.all([createOrganization('attachments'), signUpUser('outsider')]);
  [viewer, member, outsiderOrg] = await Promise.all([
    addMember(org, 'viewer'),
    addMember(org, 'member'),
    personalOrg(outsider),
  ]);
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
    const attachment = await attach(member, await newTag(member, org.id));
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

describe('size and type limits', () => {
  it('are refused by Storage on upload (413, 415)', async () => {
    const [limit] = await adminSql`select max_bytes::int from private.attachment_limits()`;
    const tooLarge = await files(member).upload(
      pathIn(org.id, 'scan.pdf'),
      // A PDF by its bytes too: Storage types a file by its signature (zeros would be refused as
      // application/octet-stream before their size is looked at).
      new Blob(['%PDF-1.4\n', new Uint8Array(limit.max_bytes)], { type: 'application/pdf' }),
    );
    expect(tooLarge.error).toMatchObject({ statusCode: '413' });
    const html = await files(member).upload(pathIn(org.id, 'page.html'), new Blob(['<b>'], { type: 'text/html' }));
    expect(html.error).toMatchObject({ statusCode: '415' });
    const [{ count }] = await adminSql`select count(*)::int from storage.objects
      where bucket_id = 'attachments' and name like ${`${org.id}/%`} and name ~ '(scan\\.pdf|page\\.html)$'`;
    expect(count).toBe(0);
  });

  it('keep the bucket settings equal to the limits the database checks', async () => {
    const [row] = await adminSql`select b.public, b.file_size_limit = l.max_bytes as same_size,
        b.allowed_mime_types = l.content_types as same_types
      from storage.buckets b, private.attachment_limits() l where b.id = 'attachments'`;
    expect(row).toEqual({ public: false, same_size: true, same_types: true });
  });

  it('take the size limit from the platform configuration, and the bucket follows a change', async () => {
    const [row] = await rolledBack(async (sql) => {
      await sql`update public.app_settings set max_file_size_bytes = 1234567`;
      return sql`select b.file_size_limit::bigint::text as bucket, l.max_bytes::text as checked
        from storage.buckets b, private.attachment_limits() l where b.id = 'attachments'`;
    });
    expect(row).toEqual({ bucket: '1234567', checked: '1234567' });
  });

  it('are refused with a code when a stored file exceeds them (ATTACHMENT_TOO_LARGE, ATTACHMENT_TYPE_NOT_ALLOWED)', async () => {
    const [limit] = await adminSql`select max_bytes::int from private.attachment_limits()`;
    const tagId = await newTag(member, org.id);
    const cases = [
      {
        metadata: { size: limit.max_bytes + 1, mimetype: 'application/pdf' },
        code: 'PT413',
        message: 'ATTACHMENT_TOO_LARGE',
      },
      { metadata: { size: 10, mimetype: 'text/html' }, code: 'PT415', message: 'ATTACHMENT_TYPE_NOT_ALLOWED' },
    ];
    for (const { metadata, code, message } of cases) {
      const objectPath = await storedWithoutStorage(metadata);
      const { error, status } = await member.client
        .from('attachments')
        .insert({ org_id: org.id, object_path: objectPath, record_table: 'tags', record_id: tagId });
      expect(error).toMatchObject({ code, message });
      expect(status).toBe(Number(code.slice(2)));
    }
  });
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
    const attachment = await attach(member, await newTag(member, org.id));
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

describe('trash', () => {
  it('keeps the file while the attachment is in the trash, and restores it', async () => {
    const tagId = await newTag(member, org.id);
    const attachment = await attach(member, tagId);
    await member.client.from('attachments').delete().eq('id', attachment.id);

    const { data: live } = await viewer.client.from('attachments').select('id').eq('record_id', tagId);
    expect(live).toEqual([]);
    const { data: trash } = await viewer.client.rpc('list_trash', { org_id: org.id, of_table: 'attachments' });
    expect(trash?.map((t) => t.id)).toContain(attachment.id);
    expect(await fileExists(attachment.object_path)).toBe(true);

    const restored = await member.client.rpc('restore_from_trash', { table_name: 'attachments', id: attachment.id });
    expect(restored.error).toBeNull();
    const { data: back } = await viewer.client.from('attachments').select('id').eq('record_id', tagId);
    expect(back).toEqual([{ id: attachment.id }]);
  });

  it('restores an attachment only once its record is out of the trash', async () => {
    const tagId = await newTag(member, org.id);
    const attachment = await attach(member, tagId);
    await member.client.from('attachments').delete().eq('id', attachment.id);
    await member.client.from('tags').delete().eq('id', tagId);
    const early = await member.client.rpc('restore_from_trash', { table_name: 'attachments', id: attachment.id });
    expect(early.error).toMatchObject({ code: 'PT404', message: 'ATTACHMENT_RECORD_NOT_FOUND' });

    await member.client.rpc('restore_from_trash', { table_name: 'tags', id: tagId });
    const later = await member.client.rpc('restore_from_trash', { table_name: 'attachments', id: attachment.id });
    expect(later.error).toBeNull();
  });

  it('lets the file go once the attachment is purged: a writer may then remove it', async () => {
    const attachment = await attach(member, await newTag(member, org.id));
    await member.client.from('attachments').delete().eq('id', attachment.id);
    const purged = await org.owner.client.rpc('purge_from_trash', { table_name: 'attachments', id: attachment.id });
    expect(purged.error).toBeNull();
    expect(await fileExists(attachment.object_path)).toBe(true);

    const { error } = await files(member).remove([attachment.object_path]);
    expect(error).toBeNull();
    expect(await fileExists(attachment.object_path)).toBe(false);
  });

  it("purges a record's attachments, live or trashed, with the record", async () => {
    const tagId = await newTag(member, org.id);
    const [kept, trashed] = [await attach(member, tagId), await attach(member, tagId)];
    await member.client.from('attachments').delete().eq('id', trashed.id);
    await member.client.from('tags').delete().eq('id', tagId);
    const purged = await org.owner.client.rpc('purge_from_trash', { table_name: 'tags', id: tagId });
    expect(purged.error).toBeNull();

    expect(await adminSql`select id from public.attachments where record_id = ${tagId}`).toEqual([]);
    const audit = await adminSql`select record_id from public.audit_log
      where org_id = ${org.id} and table_name = 'attachments' and operation = 'PURGE' and record_id in (${kept.id}, ${trashed.id})`;
    expect(audit).toHaveLength(2);
  });

  it('purges expired records and their attachments in the scheduled purge, and every other expired record', async () => {
    const [tagWithFile, plainTag] = [await newTag(member, org.id), await newTag(member, org.id)];
    const attachment = await attach(member, tagWithFile);
    await member.client.from('tags').delete().in('id', [tagWithFile, plainTag]);
    const left = await rolledBack(async (sql) => {
      await sql`select set_config('westwallet.internal_operation', 'trash', true)`;
      await sql`update public.tags set deleted_at = now() - interval '400 days' where id in (${tagWithFile}, ${plainTag})`;
      await sql`select set_config('westwallet.internal_operation', '', true)`;
      await sql`select private.purge_expired_trash()`;
      return sql`select id from public.tags where id in (${tagWithFile}, ${plainTag})
        union all select id from public.attachments where id = ${attachment.id}`;
    });
    expect(left).toEqual([]);
  });
});

describe('orphaned files', () => {
  it('lists files no attachment points at, after a day, for operators to remove', async () => {
    const attachment = await attach(member, await newTag(member, org.id));
    const loose = await upload(member, pathIn(org.id));
    const listed = await rolledBack(async (sql) => {
      await sql`update storage.objects set created_at = now() - interval '2 days'
        where bucket_id = 'attachments' and name in (${attachment.object_path}, ${loose})`;
      return sql`select object_path from admin.orphaned_attachment_files
        where object_path in (${attachment.object_path}, ${loose})`;
    });
    expect(listed.map((row) => row.object_path)).toEqual([loose]);
  });
});
