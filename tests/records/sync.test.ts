import postgres from 'postgres';
import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { personalOrg } from '../helpers/organizations.ts';
import { target } from '../helpers/target.ts';

/** Offline sync (sync_changes): everything once, then what changed after a cursor. */

interface SyncAnswer {
  changes: {
    table: string;
    id: string;
    org_id: string;
    operation: string;
    deleted: boolean;
    record: Record<string, unknown> | null;
  }[];
  cursor: string;
  has_more: boolean;
}

let owner: TestUser;
let orgId: string;

beforeAll(async () => {
  owner = await signUpUser('syncowner');
  orgId = await personalOrg(owner);
});

async function sync(user: TestUser, args: { cursor?: string | null; max_rows?: number; org_id?: string } = {}) {
  const { data, error } = await user.client.rpc('sync_changes', args as never);
  expect(error).toBeNull();
  return data as unknown as SyncAnswer;
}

/** Follows the cursor until the pass completes; returns every change seen and the last cursor. */
async function syncAll(user: TestUser, cursor: string | null, max_rows = 500) {
  const seen: SyncAnswer['changes'] = [];
  let answer: SyncAnswer;
  do {
    answer = await sync(user, { cursor, max_rows, org_id: orgId });
    seen.push(...answer.changes);
    cursor = answer.cursor;
  } while (answer.has_more);
  return { seen, cursor };
}

describe('sync_changes', () => {
  it('starts with everything, then returns only what changed after the cursor, deletions included', async () => {
    const start = await syncAll(owner, null);
    expect(start.seen.map((c) => c.table)).toEqual(expect.arrayContaining(['organizations', 'memberships']));

    const { data: tags } = await owner.client
      .from('tags')
      .insert([
        { org_id: orgId, name: 'kept' },
        { org_id: orgId, name: 'dropped' },
      ])
      .select('id, name');
    const id = (name: string) => tags?.find((t) => t.name === name)?.id as string;
    await owner.client.from('tags').update({ color: '#123456' }).eq('id', id('kept'));
    await owner.client.from('tags').delete().eq('id', id('dropped'));

    const next = await syncAll(owner, start.cursor);
    const byId = new Map(next.seen.map((c) => [c.id, c]));
    expect(byId.get(id('kept'))).toMatchObject({ deleted: false, record: { name: 'kept', color: '#123456' } });
    expect(byId.get(id('dropped'))).toMatchObject({ deleted: true, record: null, operation: 'DELETE' });
    expect(next.seen.some((c) => c.table === 'memberships')).toBe(false);

    const quiet = await syncAll(owner, next.cursor);
    expect(quiet.seen.filter((c) => c.table === 'tags')).toEqual([]);
  });

  it('pages long answers without losing a change', async () => {
    const { cursor } = await syncAll(owner, null);
    const { data: tags } = await owner.client
      .from('tags')
      .insert(Array.from({ length: 7 }, (_, i) => ({ org_id: orgId, name: `paged ${i}` })))
      .select('id');
    const paged = await syncAll(owner, cursor, 2);
    expect(new Set(paged.seen.map((c) => c.id))).toEqual(new Set(tags?.map((t) => t.id)));
  });

  it('never misses a transaction that began earlier but committed later', async () => {
    const { cursor } = await syncAll(owner, null);
    // A direct connection holds a write open (its transaction id is older) while a later
    // write commits through the API and a client syncs; then the older one commits.
    const slow = postgres(target.dbUrl, { max: 1, onnotice: () => {} });
    try {
      let release: () => void = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let wrote: () => void = () => {};
      const written = new Promise<void>((resolve) => {
        wrote = resolve;
      });
      const slowCommit = slow.begin(async (sql) => {
        await sql`select set_config('request.jwt.claims', ${JSON.stringify({ role: 'authenticated', sub: owner.user.id })}, true)`;
        await sql`insert into public.tags (org_id, name) values (${orgId}, 'early but slow')`;
        wrote();
        await held;
      });
      await written;
      await owner.client.from('tags').insert({ org_id: orgId, name: 'late but quick' });

      const meanwhile = await syncAll(owner, cursor);
      const names = (answer: typeof meanwhile) => answer.seen.map((c) => c.record?.name);
      expect(names(meanwhile)).toContain('late but quick');
      expect(names(meanwhile)).not.toContain('early but slow');

      release();
      await slowCommit;
      const after = await syncAll(owner, meanwhile.cursor);
      expect(names(after)).toContain('early but slow');
    } finally {
      await slow.end();
    }
  });

  it('answers only the caller’s organizations, and refuses a bad cursor', async () => {
    const outsider = await signUpUser('syncoutsider');
    const answer = await sync(outsider, { cursor: null });
    expect(answer.changes.every((c) => c.org_id !== orgId)).toBe(true);
    const bad = await outsider.client.rpc('sync_changes', { cursor: 'yesterday' });
    expect(bad.error).toMatchObject({ code: 'PT400', message: 'SYNC_CURSOR_INVALID' });
    const anon = await outsider.client.rpc('sync_changes', { max_rows: 5000 });
    expect(anon.error).toMatchObject({ code: 'PT400', message: 'VALIDATION_FAILED' });
  });

  it('reads only the changes after the cursor, however much else the log holds', async () => {
    const busy = await signUpUser('syncbusy');
    const busyOrg = await personalOrg(busy);
    await adminSql`insert into public.tags (org_id, name) select ${busyOrg}, 'noise ' || n from generate_series(1, 2000) n`;
    await adminSql`analyze public.audit_log`;
    const { cursor } = await syncAll(owner, null);
    await owner.client.from('tags').insert([1, 2, 3].map((n) => ({ org_id: orgId, name: `fresh ${n}` })));

    // The query private.changes_since runs, measured: rows the scan touched, not just returned.
    const [
      {
        'QUERY PLAN': [explained],
      },
    ] = await adminSql.unsafe(
      `explain (analyze, format json)
       select a.id from public.audit_log a
       where a.org_id = any ($1::uuid[]) and a.xid >= $2::xid8
       order by a.xid, a.id limit 501`,
      [[orgId, busyOrg], cursor],
    );
    const scans: { 'Node Type': string; 'Actual Rows': number; 'Rows Removed by Filter'?: number }[] = [];
    const walk = (node: Record<string, unknown>) => {
      if (String(node['Relation Name']) === 'audit_log') scans.push(node as never);
      for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
    };
    walk(explained.Plan);
    expect(scans.map((scan) => scan['Node Type'])).not.toContain('Seq Scan');
    expect(scans.reduce((sum, scan) => sum + scan['Actual Rows'] + (scan['Rows Removed by Filter'] ?? 0), 0)).toBe(3);
  });
});
