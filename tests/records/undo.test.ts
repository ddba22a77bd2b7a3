import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { householdWithMembers } from '../helpers/organizations.ts';
import { addTag } from '../helpers/records.ts';

/**
 * undo_change(): reverting an audited change, by its author or an admin, unless the record has
 * changed since.
 */

let owner: TestUser;
let member: TestUser;
let orgId: string;

beforeAll(async () => {
  ({ owner, member, orgId } = await householdWithMembers('rec', {}));
});

describe('undo', () => {
  async function lastEntry(recordId: string) {
    const [row] =
      await adminSql`select id from public.audit_log where record_id = ${recordId} order by id desc limit 1`;
    return Number(row.id);
  }

  it('reverts an update by its author, and is itself audited', async () => {
    const tag = await addTag(member, orgId, 'Before');
    await member.client.from('tags').update({ name: 'After' }).eq('id', tag.id);
    const entry = await lastEntry(tag.id);
    const undone = await member.client.rpc('undo_change', { audit_id: entry });
    expect(undone.data).toMatchObject({ name: 'Before' });
    const [log] =
      await adminSql`select operation, undo_of, old_values, new_values from public.audit_log where record_id = ${tag.id} order by id desc limit 1`;
    expect(log).toEqual({
      operation: 'UPDATE',
      undo_of: String(entry),
      old_values: { name: 'After' },
      new_values: { name: 'Before' },
    });
  });

  it('brings a deleted record back', async () => {
    const tag = await addTag(member, orgId, 'Deleted by mistake');
    await member.client.from('tags').delete().eq('id', tag.id);
    const undone = await member.client.rpc('undo_change', { audit_id: await lastEntry(tag.id) });
    expect(undone.data).toMatchObject({ id: tag.id, deleted_at: null });
  });

  it('is refused with UNDO_CONFLICT when the record changed since, and twice', async () => {
    const tag = await addTag(member, orgId, 'v1');
    await member.client.from('tags').update({ name: 'v2' }).eq('id', tag.id);
    const first = await lastEntry(tag.id);
    await owner.client.from('tags').update({ color: '#00ff00' }).eq('id', tag.id);
    const conflict = await member.client.rpc('undo_change', { audit_id: first });
    expect(conflict.error).toMatchObject({ code: 'PT409', message: 'UNDO_CONFLICT' });

    const latest = await lastEntry(tag.id);
    expect((await owner.client.rpc('undo_change', { audit_id: latest })).error).toBeNull();
    const twice = await owner.client.rpc('undo_change', { audit_id: latest });
    expect(twice.error).toMatchObject({ code: 'PT409', message: 'UNDO_CONFLICT' });
  });

  it("lets only the author or an admin undo, and never an insert or someone else's organization", async () => {
    const tag = await addTag(owner, orgId, 'Owner tag');
    await owner.client.from('tags').update({ name: 'Owner tag 2' }).eq('id', tag.id);
    const entry = await lastEntry(tag.id);
    const byMember = await member.client.rpc('undo_change', { audit_id: entry });
    expect(byMember.error).toMatchObject({ code: 'PT403', message: 'ROLE_FORBIDDEN' });
    const outsider = await signUpUser('undooutsider');
    const foreign = await outsider.client.rpc('undo_change', { audit_id: entry });
    expect(foreign.error).toMatchObject({ code: 'PT404', message: 'AUDIT_ENTRY_NOT_FOUND' });
    const fresh = await addTag(member, orgId, 'Just inserted');
    const insert = await member.client.rpc('undo_change', { audit_id: await lastEntry(fresh.id) });
    expect(insert.error).toMatchObject({ code: 'PT400', message: 'UNDO_NOT_SUPPORTED' });
  });
});
