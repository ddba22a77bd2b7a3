import { randomUUID } from 'node:crypto';
import { connect } from '@westwallet/devstack/database';
import { createLog } from '@westwallet/devstack/log';
import { startWalSource, type WalSource } from '@westwallet/devstack/realtime/wal';
import type postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { target } from '../helpers/target.ts';

/**
 * The fallback for a DATABASE_URL server without logical replication (docs/realtime.md): database
 * broadcasts by NOTIFY from a trigger, in commit order, each once, nothing of a rolled-back write.
 */

const sql = connect(target.dbUrl, { max: 3 });
const received: { topic: string; text: string }[] = [];
let source: WalSource;

beforeAll(async () => {
  source = await startWalSource({
    dbUrl: target.dbUrl,
    sql,
    replication: false,
    log: createLog('realtime', { quiet: true }),
    onTransaction: (transaction) => {
      for (const row of transaction.rows) {
        received.push({ topic: row.record?.topic ?? '', text: JSON.parse(row.record?.payload ?? '{}').text });
      }
    },
  });
});

afterAll(async () => {
  await source?.close();
  await sql.end();
});

describe('database broadcasts without logical replication', () => {
  it('arrive by NOTIFY in commit order, each once, and none of a rolled-back transaction', async () => {
    expect(source.mode).toBe('notify');
    const topic = `fallback:${randomUUID()}`;
    const send = (tx: postgres.TransactionSql, text: string) =>
      tx`select realtime.send(${JSON.stringify({ text })}::text::jsonb, 'note', ${topic}, false)`;

    // `first` starts first but commits last.
    let commitFirst: () => void = () => {};
    const first = sql.begin(async (tx) => {
      await send(tx, 'started first, committed last');
      await new Promise<void>((resolve) => {
        commitFirst = resolve;
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sql.begin((tx) => send(tx, 'committed first'));
    await sql
      .begin(async (tx) => {
        await send(tx, 'rolled back');
        throw new Error('roll back');
      })
      .catch(() => {});
    commitFirst();
    await first;

    const ours = () => received.filter((message) => message.topic === topic).map((message) => message.text);
    await expect.poll(ours, { timeout: 5000 }).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(ours()).toEqual(['committed first', 'started first, committed last']);
  });
});
