import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { householdWithMembers, personalOrg } from '../helpers/organizations.ts';
import { addTag } from '../helpers/records.ts';

/**
 * The trash of a record table: soft delete, listing, restoring, purging, and the scheduled purge
 * after the organization's retention.
 */

let owner: TestUser;
let member: TestUser;
let viewer: TestUser;
let orgId: string;

beforeAll(async () => {
  ({ owner, member, viewer, orgId } = await householdWithMembers('rec', {}));
});

describe('trash', () => {
  it('takes deleted records out of normal reads, lists them, and restores them', async () => {
    const tag = await addTag(member, orgId, 'Trashable');
    const deleted = await member.client.from('tags').delete().eq('id', tag.id);
    expect(deleted.error).toBeNull();
    const read = await member.client.from('tags').select('id').eq('id', tag.id);
    expect(read.data).toEqual([]);
    const [row] = await adminSql`select deleted_by from public.tags where id = ${tag.id}`;
    expect(row.deleted_by).toBe(member.user.id);

    const trash = await viewer.client.rpc('list_trash', { org_id: orgId, of_table: 'tags' });
    expect(trash.data?.map((t) => t.id)).toContain(tag.id);
    const entry = trash.data?.find((t) => t.id === tag.id);
    expect(entry).toMatchObject({ table_name: 'tags', reference: tag.reference, deleted_by: member.user.id });

    const byViewer = await viewer.client.rpc('restore_from_trash', { table_name: 'tags', id: tag.id });
    expect(byViewer.error).toMatchObject({ code: 'PT403', message: 'ROLE_FORBIDDEN' });
    const restored = await member.client.rpc('restore_from_trash', { table_name: 'tags', id: tag.id });
    expect(restored.data).toMatchObject({ id: tag.id, deleted_at: null });
    const back = await viewer.client.from('tags').select('name').eq('id', tag.id);
    expect(back.data).toEqual([{ name: 'Trashable' }]);
  });

  it('pages the trash newest first', async () => {
    const fresh = await signUpUser('trashpages');
    const freshOrg = await personalOrg(fresh);
    const ids: string[] = [];
    for (const name of ['p1', 'p2', 'p3']) {
      const { data } = await fresh.client.from('tags').insert({ org_id: freshOrg, name }).select('id').single();
      await fresh.client
        .from('tags')
        .delete()
        .eq('id', data?.id as string);
      ids.push(data?.id as string);
    }
    const first = await fresh.client.rpc('list_trash', { org_id: freshOrg, max_rows: 2 });
    expect(first.data?.map((t) => t.id)).toEqual([ids[2], ids[1]]);
    const last = first.data?.[1];
    const second = await fresh.client.rpc('list_trash', {
      org_id: freshOrg,
      max_rows: 2,
      before_deleted_at: last?.deleted_at,
      before_id: last?.id,
    });
    expect(second.data?.map((t) => t.id)).toEqual([ids[0]]);
  });

  it('lets admins purge for good, and refuses members and unknown tables', async () => {
    const tag = await addTag(member, orgId, 'Purgeable');
    await member.client.from('tags').delete().eq('id', tag.id);
    const byMember = await member.client.rpc('purge_from_trash', { table_name: 'tags', id: tag.id });
    expect(byMember.error).toMatchObject({ message: 'ROLE_FORBIDDEN' });
    const unknown = await owner.client.rpc('purge_from_trash', { table_name: 'audit_log', id: tag.id });
    expect(unknown.error).toMatchObject({ code: 'PT400', message: 'TABLE_NOT_SUPPORTED' });
    const live = await addTag(member, orgId, 'Not in trash');
    const notTrashed = await owner.client.rpc('purge_from_trash', { table_name: 'tags', id: live.id });
    expect(notTrashed.error).toMatchObject({ code: 'PT404', message: 'RECORD_NOT_FOUND' });

    const purged = await owner.client.rpc('purge_from_trash', { table_name: 'tags', id: tag.id });
    expect(purged.error).toBeNull();
    const [gone] = await adminSql`select count(*)::int as n from public.tags where id = ${tag.id}`;
    expect(gone.n).toBe(0);
  });

  it('is emptied by the schedule after the organization keeps it for its retention', async () => {
    const fresh = await signUpUser('retention');
    const freshOrg = await personalOrg(fresh);
    await fresh.client.from('organizations').update({ trash_retention_days: 7 }).eq('id', freshOrg);
    const { data: tags } = await fresh.client
      .from('tags')
      .insert([
        { org_id: freshOrg, name: 'old' },
        { org_id: freshOrg, name: 'recent' },
        { org_id: freshOrg, name: 'live' },
      ])
      .select('id, name');
    const id = (name: string) => tags?.find((t) => t.name === name)?.id as string;
    await fresh.client
      .from('tags')
      .delete()
      .in('id', [id('old'), id('recent')]);
    // deleted_at is guarded; an operator ages the row the way time would.
    await adminSql.begin(async (sql) => {
      await sql`select set_config('westwallet.internal_operation', 'test', true)`;
      await sql`update public.tags set deleted_at = now() - interval '8 days' where id = ${id('old')}`;
    });
    const [job] = await adminSql`select command from cron.job where jobname = 'trash-purge'`;
    expect(job.command).toContain('private.purge_expired_trash()');
    await adminSql.unsafe(job.command);
    const left = await adminSql`select name from public.tags where org_id = ${freshOrg} order by name`;
    expect(left.map((t) => t.name)).toEqual(['live', 'recent']);
  });
});
