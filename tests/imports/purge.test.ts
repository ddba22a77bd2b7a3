import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { createAccount } from '../helpers/finance.ts';
import { type Household, signUpHousehold } from '../helpers/organizations.ts';
import { finished, waitForJob } from '../jobs/helpers.ts';
import {
  batchOf,
  commitBatch,
  liveTransactions,
  nordeaCsv,
  previewStatement,
  rowsOf,
  runJob,
  uploadStatement,
} from './pipeline-helpers.ts';

/**
 * The nightly purge of what imports leave behind (supabase/schemas/13_imports/0110_purge_imports.sql,
 * supabase/functions/_shared/imports/purge.ts), run as the cron runs it with the batches' and
 * files' times moved back: expired previews, old batches' staged rows, files no batch needs.
 */
describe('purging staged rows and statement files', () => {
  let household: Household;

  beforeAll(async () => {
    household = await signUpHousehold('importpurge');
  });

  const csv = (day: string) =>
    nordeaCsv([
      { on: day, amount: '-120,00', name: 'ICA Kvantum' },
      { on: day, amount: '-35,00', name: 'Espresso House' },
    ]);

  async function exists(path: string): Promise<boolean> {
    const { data } = await household.owner.client.storage.from('imports').download(path);
    return data !== null;
  }

  async function batchRow(batchId: string) {
    const [batch] = await adminSql<{ file_path: string; purged_at: Date | null }[]>`
      select file_path, purged_at from public.import_batches where id = ${batchId}`;
    return batch;
  }

  async function moveBack(batchId: string, days: number) {
    const back = `${days} days`;
    await adminSql`
      update public.import_batches
      set created_at = created_at - ${back}::interval, committed_at = committed_at - ${back}::interval,
          undone_at = undone_at - ${back}::interval
      where id = ${batchId}`;
    const { file_path } = await batchRow(batchId);
    await moveFileBack(file_path, days);
  }

  async function moveFileBack(path: string, days: number) {
    await adminSql`
      update storage.objects set created_at = created_at - ${`${days} days`}::interval
      where bucket_id = 'imports' and name = ${path}`;
  }

  async function runPurge() {
    expect((await adminSql<{ n: number }[]>`select private.enqueue_import_purges() as n`)[0].n).toBeGreaterThan(0);
    const [purge] = await adminSql<{ id: string }[]>`
      select id from public.jobs where org_id = ${household.orgId} and kind = 'import.purge'
      order by created_at desc limit 1`;
    return waitForJob(purge.id, finished, 60_000);
  }

  it('expires old previews, drops old batches’ rows and files, and keeps what is recent', async () => {
    const { owner, orgId } = household;
    const account = await createAccount(owner, orgId);

    // A preview never committed, 8 days old: expired.
    const stale = await previewStatement(owner, orgId, account, csv('2026-04-01'));
    await moveBack(stale.batchId, 8);
    // Committed 31 days ago: its rows and file go, the batch and its transactions stay.
    const old = await previewStatement(owner, orgId, account, csv('2026-04-02'));
    await commitBatch(owner, orgId, old.batchId);
    await moveBack(old.batchId, 31);
    // Committed 10 days ago, and a fresh preview whose file is old: kept whole.
    const recent = await previewStatement(owner, orgId, account, csv('2026-04-03'));
    await commitBatch(owner, orgId, recent.batchId);
    await moveBack(recent.batchId, 10);
    const fresh = await previewStatement(owner, orgId, account, csv('2026-04-04'));
    await moveFileBack((await batchRow(fresh.batchId)).file_path, 8);
    // Uploaded 8 days ago and never previewed (or refused): the file goes.
    const orphan = await uploadStatement(owner, orgId, csv('2026-04-05'));
    await moveFileBack(orphan, 8);
    const orphanNew = await uploadStatement(owner, orgId, csv('2026-04-06'));

    const job = await runPurge();
    expect(job).toMatchObject({ status: 'succeeded', result: { batches: 2, rows: 4, files: 3 } });

    expect(await batchOf(owner, stale.batchId)).toMatchObject({ status: 'expired', new_count: 2 });
    expect(await rowsOf(owner, stale.batchId)).toEqual([]);
    expect(await exists((await batchRow(stale.batchId)).file_path)).toBe(false);

    expect(await batchOf(owner, old.batchId)).toMatchObject({ status: 'committed', imported_count: 2 });
    expect(await rowsOf(owner, old.batchId)).toEqual([]);
    expect((await batchRow(old.batchId)).purged_at).not.toBeNull();
    expect(await exists((await batchRow(old.batchId)).file_path)).toBe(false);
    const imported = (await liveTransactions(owner, account)).filter((t) => t.import_batch_id === old.batchId);
    expect(imported).toHaveLength(2);

    expect(await rowsOf(owner, recent.batchId)).toHaveLength(2);
    expect(await exists((await batchRow(recent.batchId)).file_path)).toBe(true);
    expect(await batchOf(owner, fresh.batchId)).toMatchObject({ status: 'previewed' });
    expect(await rowsOf(owner, fresh.batchId)).toHaveLength(2);
    expect(await exists((await batchRow(fresh.batchId)).file_path)).toBe(true);
    expect(await exists(orphan)).toBe(false);
    expect(await exists(orphanNew)).toBe(true);

    // An expired preview cannot be committed; the purge run again finds nothing of this organization.
    const commit = await runJob(owner, orgId, 'import.commit', { batch_id: stale.batchId });
    expect(commit).toMatchObject({ status: 'failed', last_error_code: 'IMPORT_BATCH_CLOSED' });
    const [{ n }] = await adminSql<{ n: number }[]>`
      select (select count(*) from admin.expired_import_batches where org_id = ${orgId})
           + (select count(*) from admin.expired_import_files where org_folder = ${orgId}::text) as n`;
    expect(Number(n)).toBe(0);
  });

  it('deletes a large batch’s rows a bounded part at a time', async () => {
    const { owner, orgId } = household;
    const account = await createAccount(owner, orgId);
    const entries = Array.from({ length: 12_000 }, (_, i) => ({
      on: `2026-0${1 + (i % 9)}-${String(1 + (i % 28)).padStart(2, '0')}`,
      amount: `-${1 + (i % 500)},${String(i % 100).padStart(2, '0')}`,
      name: `Shop ${i}`,
    }));
    const { batchId } = await previewStatement(owner, orgId, account, nordeaCsv(entries));
    await moveBack(batchId, 8);
    const parts: number[] = [];
    for (let part = 0; part < 3; part++) {
      const [{ removed }] = await adminSql<{ removed: number }[]>`
        select private.purge_import_batch(${orgId}, ${batchId}) as removed`;
      parts.push(removed);
      if (part < 2) expect((await batchRow(batchId)).purged_at).toBeNull();
    }
    expect(parts).toEqual([5000, 5000, 2000]);
    expect(await batchOf(owner, batchId)).toMatchObject({ status: 'expired', entry_count: 12_000 });
    expect((await batchRow(batchId)).purged_at).not.toBeNull();
  });
});
