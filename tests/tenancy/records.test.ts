import { beforeAll, describe, expect, it } from 'vitest';
import { serviceClient, signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { join, personalOrg } from '../helpers/organizations.ts';

/**
 * The contract every record table follows (references, trash, audit, undo, read-only system
 * columns), exercised on `tags`, the first record table, through the Data API.
 */

let owner: TestUser;
let member: TestUser;
let viewer: TestUser;
let orgId: string;

beforeAll(async () => {
  [owner, member, viewer] = await Promise.all([
    signUpUser('recowner'),
    signUpUser('recmember'),
    signUpUser('recviewer'),
  ]);
  orgId = await personalOrg(owner);
  await join(owner, orgId, member, 'member');
  await join(owner, orgId, viewer, 'viewer');
});

async function addTag(user: TestUser, name: string) {
  const { data, error } = await user.client.from('tags').insert({ org_id: orgId, name }).select().single();
  expect(error).toBeNull();
  return data as NonNullable<typeof data>;
}

describe('references', () => {
  it('are allocated per organization one after another (A000001, A000002, ...) and cannot be chosen', async () => {
    const fresh = await signUpUser('refs');
    const freshOrg = await personalOrg(fresh);
    // A new organization's default categories took the first references.
    const [{ next }] = await adminSql`
      select count(*)::int + 1 as next from public.categories where org_id = ${freshOrg}`;
    const first = await fresh.client
      .from('tags')
      .insert({ org_id: freshOrg, name: 'one', reference: 'Z999999' })
      .select()
      .single();
    const second = await fresh.client.from('tags').insert({ org_id: freshOrg, name: 'two' }).select().single();
    const [expected] = await adminSql`
      select private.format_reference(${next}) as first, private.format_reference(${next + 1}) as second`;
    expect([first.data?.reference, second.data?.reference]).toEqual([expected.first, expected.second]);
  });

  it('advance the letter after 999999', async () => {
    const fresh = await signUpUser('rollover');
    const freshOrg = await personalOrg(fresh);
    const [{ seq }] = await adminSql`select private.reference_sequence(${freshOrg}) as seq`;
    await adminSql`select setval(${seq}::regclass, 999998)`;
    const refs: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const { data } = await fresh.client.from('tags').insert({ org_id: freshOrg, name }).select('reference').single();
      refs.push(data?.reference as string);
    }
    expect(refs).toEqual(['A999999', 'B000001', 'B000002']);
  });

  it('fail with ID_SEQUENCE_FAILED when none can be allocated', async () => {
    const fresh = await signUpUser('exhausted');
    const freshOrg = await personalOrg(fresh);
    const [{ seq }] = await adminSql`select private.reference_sequence(${freshOrg}) as seq`;
    await adminSql`select setval(${seq}::regclass, 25999974)`;
    const { error } = await fresh.client.from('tags').insert({ org_id: freshOrg, name: 'one too many' });
    expect(error).toMatchObject({ code: 'PT500', message: 'ID_SEQUENCE_FAILED' });
  });

  it('are never taken from an organization the writer may not write to', async () => {
    const outsider = await signUpUser('refthief');
    const [{ seq }] = await adminSql`select private.reference_sequence(${orgId}) as seq`;
    const [before] = await adminSql.unsafe(`select last_value from ${seq}`);
    const stolen = await outsider.client.from('tags').insert({ org_id: orgId, name: 'not mine' });
    expect(stolen.error).toMatchObject({ code: '42501' });
    const byViewer = await viewer.client.from('tags').insert({ org_id: orgId, name: 'read only' });
    expect(byViewer.error).toMatchObject({ code: '42501' });
    const [after] = await adminSql.unsafe(`select last_value from ${seq}`);
    expect(after.last_value).toBe(before.last_value);

    const nowhere = await serviceClient().from('tags').insert({ org_id: crypto.randomUUID(), name: 'orphan' });
    expect(nowhere.error).toMatchObject({ code: 'PT404', message: 'ORGANIZATION_NOT_FOUND' });
  });

  it('find a record, case-insensitively, and refuse a malformed one with ID_FORMAT_INVALID', async () => {
    const tag = await addTag(member, 'Findable');
    const found = await viewer.client.rpc('find_by_reference', {
      org_id: orgId,
      reference: tag.reference.toLowerCase(),
    });
    expect(found.data).toMatchObject({ table: 'tags', id: tag.id, record: { name: 'Findable' } });

    for (const reference of ['A00001', 'AA00001', '1000001', 'A000000', '']) {
      const bad = await viewer.client.rpc('find_by_reference', { org_id: orgId, reference });
      expect(bad.error, reference).toMatchObject({ code: 'PT400', message: 'ID_FORMAT_INVALID' });
    }
    const missing = await viewer.client.rpc('find_by_reference', { org_id: orgId, reference: 'Y999999' });
    expect(missing.error).toMatchObject({ code: 'PT404', message: 'RECORD_NOT_FOUND' });
    const outsider = await signUpUser('refoutsider');
    const foreign = await outsider.client.rpc('find_by_reference', { org_id: orgId, reference: tag.reference });
    expect(foreign.error).toMatchObject({ code: 'PT403', message: 'NOT_A_MEMBER' });
  });
});

describe('system columns', () => {
  it('are stamped by the database and cannot be changed, nor the record moved', async () => {
    const tag = await addTag(member, 'Stamped');
    expect(tag).toMatchObject({ created_by: member.user.id, updated_by: member.user.id, deleted_at: null });
    const other = await personalOrg(member);
    for (const change of [{ org_id: other }, { reference: 'A123456' }, { created_by: owner.user.id }]) {
      const { error } = await member.client.from('tags').update(change).eq('id', tag.id);
      expect(error, JSON.stringify(change)).toMatchObject({ code: 'PT400', message: 'READ_ONLY_COLUMN' });
    }
    const renamed = await owner.client
      .from('tags')
      .update({ name: 'Stamped again' })
      .eq('id', tag.id)
      .select()
      .single();
    expect(renamed.data).toMatchObject({ updated_by: owner.user.id, created_by: member.user.id });
  });
});

describe('trash', () => {
  it('takes deleted records out of normal reads, lists them, and restores them', async () => {
    const tag = await addTag(member, 'Trashable');
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
    const tag = await addTag(member, 'Purgeable');
    await member.client.from('tags').delete().eq('id', tag.id);
    const byMember = await member.client.rpc('purge_from_trash', { table_name: 'tags', id: tag.id });
    expect(byMember.error).toMatchObject({ message: 'ROLE_FORBIDDEN' });
    const unknown = await owner.client.rpc('purge_from_trash', { table_name: 'audit_log', id: tag.id });
    expect(unknown.error).toMatchObject({ code: 'PT400', message: 'TABLE_NOT_SUPPORTED' });
    const live = await addTag(member, 'Not in trash');
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

describe('audit log', () => {
  it('records who changed which fields, before and after, readable by admins only', async () => {
    const tag = await addTag(member, 'Audited');
    await member.client.from('tags').update({ name: 'Audited twice', color: '#ff0000' }).eq('id', tag.id);
    const { data } = await owner.client
      .from('audit_log')
      .select('operation, old_values, new_values, actor_id, actor_role')
      .eq('table_name', 'tags')
      .eq('record_id', tag.id)
      .order('id');
    expect(data).toEqual([
      expect.objectContaining({ operation: 'INSERT', old_values: null, actor_id: member.user.id }),
      {
        operation: 'UPDATE',
        old_values: { name: 'Audited', color: null },
        new_values: { name: 'Audited twice', color: '#ff0000' },
        actor_id: member.user.id,
        actor_role: 'authenticated',
      },
    ]);
    for (const user of [member, viewer]) {
      const hidden = await user.client.from('audit_log').select('id').eq('record_id', tag.id);
      expect(hidden.data).toEqual([]);
    }
  });

  it('names a service and an impersonating operator', async () => {
    const { data: tag, error } = await serviceClient()
      .from('tags')
      .insert({ org_id: orgId, name: 'By service' })
      .select()
      .single();
    expect(error).toBeNull();
    const operator = crypto.randomUUID();
    await adminSql.begin(async (sql) => {
      await sql`select set_config('request.jwt.claims', ${JSON.stringify({ role: 'authenticated', sub: member.user.id, act: { sub: operator } })}, true), set_config('role', 'authenticated', true)`;
      await sql`update public.tags set name = 'By operator' where id = ${tag?.id as string}`;
    });
    const rows = await adminSql`
      select operation, actor_id, actor_role, impersonator_id from public.audit_log
      where record_id = ${tag?.id as string} order by id`;
    expect(rows).toEqual([
      { operation: 'INSERT', actor_id: null, actor_role: 'service_role', impersonator_id: null },
      { operation: 'UPDATE', actor_id: member.user.id, actor_role: 'authenticated', impersonator_id: operator },
    ]);
  });

  it('is filtered by table, user and time and paged by id', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    for (const name of ['page 1', 'page 2', 'page 3']) await addTag(member, name);
    const first = await owner.client
      .from('audit_log')
      .select('id, actor_id')
      .eq('org_id', orgId)
      .eq('table_name', 'tags')
      .eq('actor_id', member.user.id)
      .gte('created_at', since)
      .order('id', { ascending: false })
      .limit(2);
    expect(first.data).toHaveLength(2);
    const next = await owner.client
      .from('audit_log')
      .select('id')
      .eq('org_id', orgId)
      .eq('actor_id', member.user.id)
      .gte('created_at', since)
      .lt('id', first.data?.[1].id as number)
      .order('id', { ascending: false })
      .limit(2);
    expect(next.data?.every((row) => row.id < (first.data?.[1].id as number))).toBe(true);
  });

  it('cannot be changed or deleted, through the API or in SQL', async () => {
    const [entry] = await adminSql`select * from public.audit_log where org_id = ${orgId} order by id limit 1`;
    const attempts = [
      owner.client.from('audit_log').update({ actor_role: 'forged' }).eq('id', entry.id),
      owner.client.from('audit_log').delete().eq('id', entry.id),
      serviceClient().from('audit_log').update({ actor_role: 'forged' }).eq('id', entry.id),
      serviceClient().from('audit_log').delete().eq('id', entry.id),
    ];
    for (const { error } of await Promise.all(attempts)) {
      // Refused by the grants (42501) or, for a role that has them, by the append-only trigger;
      // either way the row must be as it was.
      if (error) expect(error.code === '42501' || error.message === 'AUDIT_LOG_APPEND_ONLY').toBe(true);
    }
    const insert = await owner.client.from('audit_log').insert({
      org_id: orgId,
      table_name: 'tags',
      record_id: crypto.randomUUID(),
      operation: 'INSERT',
      actor_role: 'forged',
      session_role: 'forged',
    });
    expect(insert.error).toMatchObject({ code: '42501' });
    await expect(adminSql`delete from public.audit_log where id = ${entry.id}`).rejects.toMatchObject({
      message: 'AUDIT_LOG_APPEND_ONLY',
    });
    await expect(
      adminSql`update public.audit_log set actor_role = 'forged' where id = ${entry.id}`,
    ).rejects.toMatchObject({
      message: 'AUDIT_LOG_APPEND_ONLY',
    });
    const [after] = await adminSql`select * from public.audit_log where id = ${entry.id}`;
    expect(after).toEqual(entry);
    const [forged] = await adminSql`select count(*)::int as n from public.audit_log where actor_role = 'forged'`;
    expect(forged.n).toBe(0);
  });
});

describe('undo', () => {
  async function lastEntry(recordId: string) {
    const [row] =
      await adminSql`select id from public.audit_log where record_id = ${recordId} order by id desc limit 1`;
    return Number(row.id);
  }

  it('reverts an update by its author, and is itself audited', async () => {
    const tag = await addTag(member, 'Before');
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
    const tag = await addTag(member, 'Deleted by mistake');
    await member.client.from('tags').delete().eq('id', tag.id);
    const undone = await member.client.rpc('undo_change', { audit_id: await lastEntry(tag.id) });
    expect(undone.data).toMatchObject({ id: tag.id, deleted_at: null });
  });

  it('is refused with UNDO_CONFLICT when the record changed since, and twice', async () => {
    const tag = await addTag(member, 'v1');
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
    const tag = await addTag(owner, 'Owner tag');
    await owner.client.from('tags').update({ name: 'Owner tag 2' }).eq('id', tag.id);
    const entry = await lastEntry(tag.id);
    const byMember = await member.client.rpc('undo_change', { audit_id: entry });
    expect(byMember.error).toMatchObject({ code: 'PT403', message: 'ROLE_FORBIDDEN' });
    const outsider = await signUpUser('undooutsider');
    const foreign = await outsider.client.rpc('undo_change', { audit_id: entry });
    expect(foreign.error).toMatchObject({ code: 'PT404', message: 'AUDIT_ENTRY_NOT_FOUND' });
    const fresh = await addTag(member, 'Just inserted');
    const insert = await member.client.rpc('undo_change', { audit_id: await lastEntry(fresh.id) });
    expect(insert.error).toMatchObject({ code: 'PT400', message: 'UNDO_NOT_SUPPORTED' });
  });
});
