import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';

/**
 * pgmq's SQL API (Supabase Queues) as migrations use it.
 * On the local stack this is the devstack's stand-in and workers; against a hosted project, the
 * real extension. Names are unique per run, so the suite can run again on the same database.
 */

const run = randomUUID().replaceAll('-', '').slice(0, 10);
const POLL = { timeout: 15_000, interval: 200 };

describe('pgmq, the Queues API', () => {
  const queue = `platform_test_${run}`;

  beforeAll(async () => {
    await adminSql`select pgmq.create(${queue})`;
  });

  afterAll(async () => {
    await adminSql`select pgmq.drop_queue(${queue})`;
  });

  // Each test starts from an empty queue, whatever the others left in it.
  beforeEach(async () => {
    await adminSql`select pgmq.purge_queue(${queue})`;
  });

  const read = async (vt: number, qty: number) =>
    adminSql`select msg_id::text as id, read_ct, message from pgmq.read(${queue}, ${vt}, ${qty})`;

  it('creates a queue with its queue and archive tables', async () => {
    const [tables] = await adminSql`
      select to_regclass(${`pgmq.q_${queue}`}) is not null as queue, to_regclass(${`pgmq.a_${queue}`}) is not null as archive`;
    expect(tables).toEqual({ queue: true, archive: true });
    const queues = await adminSql`select queue_name from pgmq.list_queues() where queue_name = ${queue}`;
    expect(queues).toHaveLength(1);
  });

  it('hides a read message for its visibility timeout and shows it again when the timeout is reset', async () => {
    const [{ id }] = await adminSql`select pgmq.send(${queue}, '{"task": "first"}')::text as id`;
    const first = await read(30, 10);
    expect(first).toEqual([{ id, read_ct: 1, message: { task: 'first' } }]);
    expect(await read(30, 10)).toHaveLength(0);

    await adminSql`select * from pgmq.set_vt(${queue}, ${id}, 0)`;
    expect(await read(30, 10)).toEqual([{ id, read_ct: 2, message: { task: 'first' } }]);
    const [{ deleted }] = await adminSql`select pgmq.delete(${queue}, ${id}::bigint) as deleted`;
    expect(deleted).toBe(true);
  });

  it('sends batches, deletes and archives messages by id and counts them in metrics', async () => {
    const sent = await adminSql`
      select id::text from pgmq.send_batch(${queue}, array['{"n": 1}', '{"n": 2}', '{"n": 3}']::jsonb[]) as id`;
    const [one, two, three] = sent.map((row) => row.id as string);

    const [{ deleted }] = await adminSql`select pgmq.delete(${queue}, ${one}::bigint) as deleted`;
    const [{ again }] = await adminSql`select pgmq.delete(${queue}, ${one}::bigint) as again`;
    expect([deleted, again]).toEqual([true, false]);

    const [{ archived }] = await adminSql`select pgmq.archive(${queue}, ${two}::bigint) as archived`;
    expect(archived).toBe(true);
    const archive = await adminSql.unsafe(`select msg_id::text as id, message from pgmq.a_${queue}`);
    expect(archive).toEqual([{ id: two, message: { n: 2 } }]);

    const [metrics] = await adminSql`select queue_length::int, total_messages::int from pgmq.metrics(${queue})`;
    expect(metrics.queue_length).toBe(1);
    expect(metrics.total_messages).toBe(Number(three));
    const [{ purged }] = await adminSql`select pgmq.purge_queue(${queue})::int as purged`;
    expect(purged).toBe(1);
  });

  it('keeps a message sent with a delay invisible until the delay has passed', async () => {
    await adminSql`select pgmq.send(${queue}, '{"later": true}', 1)`;
    expect(await read(30, 1)).toHaveLength(0);
    await expect.poll(async () => (await read(30, 1)).length, POLL).toBe(1);
  });

  it('rejects a queue name that would break the SQL it generates', async () => {
    await expect(adminSql`select pgmq.create(${`${queue}; drop table x`})`).rejects.toThrow(
      'queue name contains invalid characters',
    );
  });
});
