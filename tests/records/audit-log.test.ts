import { beforeAll, describe, expect, it } from 'vitest';
import { serviceClient, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { householdWithMembers } from '../helpers/organizations.ts';
import { addTag } from '../helpers/records.ts';

/**
 * The audit log of record changes: who changed which fields, readable by admins, append-only.
 */

let owner: TestUser;
let member: TestUser;
let viewer: TestUser;
let orgId: string;

beforeAll(async () => {
  ({ owner, member, viewer, orgId } = await householdWithMembers('rec', {}));
});

describe('audit log', () => {
  it('records who changed which fields, before and after, readable by admins only', async () => {
    const tag = await addTag(member, orgId, 'Audited');
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
    for (const name of ['page 1', 'page 2', 'page 3']) await addTag(member, orgId, name);
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
    await addTag(member, orgId, 'Append-only');
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
