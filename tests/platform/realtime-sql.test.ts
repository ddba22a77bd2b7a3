import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSql, rolledBack } from '../helpers/db.ts';

/**
 * The database side of Realtime as migrations use it: realtime.send, broadcast_changes and the
 * topic of a transaction.
 * On the local stack this is the devstack's stand-in and workers; against a hosted project, the
 * real extension. Names are unique per run, so the suite can run again on the same database.
 */

const run = randomUUID().replaceAll('-', '').slice(0, 10);

describe('realtime, the database side of Realtime', () => {
  const topic = `platform_test_${run}`;
  const table = `public.realtime_probe_${run}`;

  beforeAll(async () => {
    await adminSql.unsafe(`
      create table ${table} (id int primary key, title text);
      create function ${table}_broadcast() returns trigger language plpgsql as $$
      begin
        perform realtime.broadcast_changes(
          '${topic}:rows', tg_op, tg_op, tg_table_name, tg_table_schema, new, old
        );
        return null;
      end $$;
      create trigger broadcast after insert or update or delete on ${table}
        for each row execute function ${table}_broadcast();
    `);
  });

  afterAll(async () => {
    await adminSql.unsafe(`drop table if exists ${table}; drop function if exists ${table}_broadcast()`);
    await adminSql`delete from realtime.messages where topic like ${`${topic}%`}`;
  });

  it('realtime.send stores a private broadcast message whose payload carries the message id', async () => {
    await adminSql`select realtime.send('{"text": "hi"}', 'chat', ${`${topic}:send`})`;
    const [message] = await adminSql`
      select id::text, extension, event, private, payload from realtime.messages where topic = ${`${topic}:send`}`;
    expect(message).toMatchObject({ extension: 'broadcast', event: 'chat', private: true });
    expect(message.payload).toEqual({ text: 'hi', id: message.id });
  });

  it('realtime.send warns instead of failing when row-level security refuses the message', async () => {
    await rolledBack(async (tx) => {
      await tx`set local role authenticated`;
      await tx`select realtime.send('{}', 'chat', ${`${topic}:refused`})`;
      await tx`reset role`;
      const [{ count }] =
        await tx`select count(*)::int as count from realtime.messages where topic = ${`${topic}:refused`}`;
      expect(count).toBe(0);
    });
  });

  it('broadcast_changes sends each row change with the old and new record', async () => {
    await adminSql.unsafe(`insert into ${table} values (1, 'draft')`);
    await adminSql.unsafe(`update ${table} set title = 'final'`);
    await adminSql.unsafe(`delete from ${table}`);
    const messages = await adminSql`
      select event, private, payload from realtime.messages where topic = ${`${topic}:rows`} order by inserted_at`;
    const shared = { table: `realtime_probe_${run}`, schema: 'public' };
    expect(messages.map((message) => [message.event, message.private])).toEqual([
      ['INSERT', true],
      ['UPDATE', true],
      ['DELETE', true],
    ]);
    expect(messages.map(({ payload: { id, ...rest } }) => rest)).toEqual([
      { ...shared, operation: 'INSERT', record: { id: 1, title: 'draft' }, old_record: null },
      { ...shared, operation: 'UPDATE', record: { id: 1, title: 'final' }, old_record: { id: 1, title: 'draft' } },
      { ...shared, operation: 'DELETE', record: null, old_record: { id: 1, title: 'final' } },
    ]);
  });

  it('realtime.topic() returns the topic set for the transaction, or null', async () => {
    await rolledBack(async (tx) => {
      const [before] = await tx`select realtime.topic() as topic`;
      await tx`select set_config('realtime.topic', ${`${topic}:room`}, true)`;
      const [after] = await tx`select realtime.topic() as topic`;
      expect([before.topic, after.topic]).toEqual([null, `${topic}:room`]);
    });
  });
});
