import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { adminSql, rolledBack } from '../helpers/db.ts';
import type { Organization } from '../helpers/organizations.ts';
import { attach, attachmentsOrg, fileExists, files, newTag } from './files.ts';

/**
 * Attachments in the trash: the file kept while the row may come back, purged with its record.
 */

let org: Organization;
let viewer: TestUser;
let member: TestUser;

beforeAll(async () => {
  ({ org, viewer, member } = await attachmentsOrg());
});

describe('trash', () => {
  it('keeps the file while the attachment is in the trash, and restores it', async () => {
    const tagId = await newTag(member, org.id);
    const attachment = await attach(member, org.id, tagId);
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
    const attachment = await attach(member, org.id, tagId);
    await member.client.from('attachments').delete().eq('id', attachment.id);
    await member.client.from('tags').delete().eq('id', tagId);
    const early = await member.client.rpc('restore_from_trash', { table_name: 'attachments', id: attachment.id });
    expect(early.error).toMatchObject({ code: 'PT404', message: 'ATTACHMENT_RECORD_NOT_FOUND' });

    await member.client.rpc('restore_from_trash', { table_name: 'tags', id: tagId });
    const later = await member.client.rpc('restore_from_trash', { table_name: 'attachments', id: attachment.id });
    expect(later.error).toBeNull();
  });

  it('lets the file go once the attachment is purged: a writer may then remove it', async () => {
    const attachment = await attach(member, org.id, await newTag(member, org.id));
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
    const [kept, trashed] = [await attach(member, org.id, tagId), await attach(member, org.id, tagId)];
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
    const attachment = await attach(member, org.id, tagWithFile);
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
