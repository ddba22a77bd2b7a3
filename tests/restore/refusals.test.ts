import { createHash, randomUUID } from 'node:crypto';
import type { BackupManifest } from '@westwallet/shared/exports';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { signUpHousehold } from '../helpers/organizations.ts';
import { enqueue, finished, waitForJob } from '../jobs/helpers.ts';
import { exportBackup, type RestoreResult, restore, uploadBackup } from './helpers.ts';

type Files = Record<string, Uint8Array>;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The archive with `change` applied to its entries, the manifest written last as the exporter writes it. */
function rewritten(files: Files, change: (files: Files, manifest: BackupManifest) => void, recompute = false) {
  const copy: Files = { ...files };
  const manifest = JSON.parse(strFromU8(copy['manifest.json'])) as BackupManifest;
  delete copy['manifest.json'];
  change(copy, manifest);
  if (recompute) {
    for (const [name, bytes] of Object.entries(copy))
      manifest.entries[name] = { size: bytes.length, sha256: sha256(bytes) };
  }
  return zipSync({ ...copy, 'manifest.json': strToU8(JSON.stringify(manifest)) });
}

function lines(files: Files, table: string): Record<string, unknown>[] {
  return strFromU8(files[`data/${table}.ndjson`])
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

function setLines(files: Files, table: string, rows: unknown[]) {
  files[`data/${table}.ndjson`] = strToU8(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
}

/**
 * What a restore refuses, and that a refused restore leaves nothing: no organization, no staged
 * rows, no copied files. Each case starts from a real backup of a household with two files.
 */
describe('restoring refuses what it cannot trust, and leaves nothing behind', () => {
  let owner: TestUser;
  let orgId: string;
  let files: Files;
  const fileNames = [`eins-${randomUUID()}.txt`, `zwei-${randomUUID()}.txt`];

  beforeAll(async () => {
    ({ owner, orgId } = await signUpHousehold('restorerefusals'));
    const { data: tag } = await owner.client
      .from('tags')
      .insert({ org_id: orgId, name: 'Papper' })
      .select('id')
      .single();
    for (const name of fileNames) {
      const path = `${orgId}/${randomUUID()}/${name}`;
      expect(
        (await owner.client.storage.from('attachments').upload(path, strToU8(name), { contentType: 'text/plain' }))
          .error,
      ).toBeNull();
      const { error } = await owner.client.from('attachments').insert({
        org_id: orgId,
        object_path: path,
        file_name: name,
        record_table: 'tags',
        record_id: tag?.id as string,
      });
      expect(error).toBeNull();
    }
    const { error } = await owner.client.from('transactions').insert({
      org_id: orgId,
      currency: 'SEK',
      kind: 'expense',
      booked_on: '2026-02-02',
      amount_minor: 12_300,
      counterparty: 'Apoteket',
    });
    expect(error).toBeNull();
    files = unzipSync(await exportBackup(owner, orgId));
  }, 120_000);

  async function organizationsOf(user: TestUser): Promise<number> {
    const [{ count }] =
      await adminSql`select count(*)::int as count from public.organizations where created_by = ${user.user.id}`;
    return count;
  }

  /** Restores `zip` and expects it to fail with `code`, leaving no trace. */
  async function refused(zip: Uint8Array, code: string) {
    const before = await organizationsOf(owner);
    const job = await restore(owner, orgId, { path: await uploadBackup(owner, zip) });
    expect(job).toMatchObject({ status: 'failed', last_error_code: code });
    expect(await organizationsOf(owner)).toBe(before);
    const [{ staged }] =
      await adminSql`select count(*)::int as staged from private.restore_rows where job_id = ${job.id}`;
    expect(staged).toBe(0);
    const copies = await adminSql`
      select name from storage.objects
      where bucket_id = 'attachments' and (name like ${`%/${fileNames[0]}`} or name like ${`%/${fileNames[1]}`})
        and name not like ${`${orgId}/%`}`;
    expect(copies).toEqual([]);
  }

  it('refuses a backup of a newer format version', async () => {
    await refused(
      rewritten(files, (_, m) => {
        m.format_version = 2 as never;
      }),
      'RESTORE_VERSION_TOO_NEW',
    );
  }, 60_000);

  it('refuses a backup from a newer schema than this database', async () => {
    await refused(
      rewritten(files, (_, m) => {
        m.schema_version = '29991231235959';
      }),
      'RESTORE_VERSION_TOO_NEW',
    );
  }, 60_000);

  it('refuses a ZIP that is not a backup, a truncated one and one with a damaged entry', async () => {
    await refused(zipSync({ 'notes.txt': strToU8('hello') }), 'RESTORE_NOT_A_BACKUP');
    const whole = rewritten(files, () => {});
    await refused(whole.slice(0, Math.floor(whole.length * 0.7)), 'RESTORE_ARCHIVE_DAMAGED');
    // An entry's local header overwritten (the directory still intact): found when the entry is read.
    const broken = whole.slice();
    const name = Buffer.from(broken).indexOf('data/transactions.ndjson');
    broken.fill(0, name - 30, name - 26);
    await refused(broken, 'RESTORE_ARCHIVE_DAMAGED');
  }, 60_000);

  it("refuses rows that differ from the manifest's checksum", async () => {
    await refused(
      rewritten(files, (f) => {
        setLines(
          f,
          'transactions',
          lines(f, 'transactions').map((t) => ({ ...t, amount_minor: 1 })),
        );
      }),
      'RESTORE_ARCHIVE_DAMAGED',
    );
  }, 60_000);

  it('refuses a damaged file after copying others, and removes the copies', async () => {
    await refused(
      rewritten(files, (f, m) => {
        // The last file the restore copies: the one before it is copied by then.
        const second = m.attachments.at(-1);
        f[second?.file as string] = strToU8('tampered!');
        (m.entries[second?.file as string] as { size: number }).size = 9;
      }),
      'RESTORE_ARCHIVE_DAMAGED',
    );
  }, 60_000);

  it('refuses rows pointing at nothing even with checksums recomputed', async () => {
    await refused(
      rewritten(
        files,
        (f) => {
          setLines(
            f,
            'attachments',
            lines(f, 'attachments').map((a) => ({ ...a, record_table: 'transactions' })),
          );
          setLines(
            f,
            'transactions',
            lines(f, 'transactions').map((t) => ({ ...t, category_id: randomUUID() })),
          );
        },
        true,
      ),
      'RESTORE_BACKUP_INVALID',
    );
  }, 60_000);

  it("refuses a path outside the member's own folder", async () => {
    const other = await signUpHousehold('restorethief');
    const path = await uploadBackup(
      owner,
      rewritten(files, () => {}),
    );
    const job = await restore(other.owner, other.orgId, { path });
    expect(job).toMatchObject({ status: 'failed', last_error_code: 'RESTORE_FILE_NOT_FOUND' });
    // Nor can they read it through Storage.
    const { data } = await other.owner.client.storage.from('restores').download(path);
    expect(data).toBeNull();
  }, 60_000);

  it('restores once: the same idempotency key and a commit that runs again add no organization', async () => {
    const path = await uploadBackup(
      owner,
      rewritten(files, () => {}),
    );
    const before = await organizationsOf(owner);
    const key = randomUUID();
    const job = await restore(owner, orgId, { path }, key);
    expect(job.status).toBe('succeeded');
    const again = await enqueue(owner, orgId, 'import.backup', { path }, key);
    expect(again.id).toBe(job.id);
    expect((await waitForJob(again.id, finished)).status).toBe('succeeded');
    // The commit step run again, as after a worker that died before saving its checkpoint.
    const result = job.result as RestoreResult;
    const [{ summary }] = await adminSql`
      select private.restore_organization(${job.id}, ${randomUUID()}, ${owner.user.id}, 'x', 'SEK', 'sv',
                                          array['tags', 'transactions']) as summary`;
    expect(summary).toEqual({ org_id: result.org_id, tables: result.tables });
    expect(await organizationsOf(owner)).toBe(before + 1);
    const { data: tags } = await owner.client.from('tags').select('name').eq('org_id', result.org_id);
    expect(tags).toEqual([{ name: 'Papper' }]);
  }, 90_000);
});

describe('a large table is staged across steps', () => {
  it('resumes inside an entry and restores every row once', async () => {
    const { owner, orgId } = await signUpHousehold('restorelarge');
    const files = unzipSync(await exportBackup(owner, orgId));
    // 60,000 tags: more rows than one step stages, so the entry is resumed mid-stream.
    const count = 60_000;
    const template = {
      org_id: orgId,
      created_at: '2026-01-02T03:04:05+00:00',
      updated_at: '2026-01-02T03:04:05+00:00',
    };
    const zip = rewritten(
      files,
      (f, m) => {
        setLines(
          f,
          'tags',
          Array.from({ length: count }, (_, i) => ({
            ...template,
            id: randomUUID(),
            name: `Tagg ${i}`,
            reference: `A${String(i + 1).padStart(6, '0')}`,
            created_by: null,
            updated_by: null,
            deleted_at: null,
            deleted_by: null,
          })),
        );
        (m.tables.find((t) => t.name === 'tags') as { rows: number }).rows = count;
      },
      true,
    );
    const job = await restore(owner, orgId, { path: await uploadBackup(owner, zip) });
    expect(job).toMatchObject({ status: 'succeeded' });
    const result = job.result as RestoreResult;
    expect(result.tables.tags).toBe(count);
    const [{ tags, names }] = await adminSql`
      select count(*)::int as tags, count(distinct name)::int as names from public.tags where org_id = ${result.org_id}`;
    expect({ tags, names }).toEqual({ tags: count, names: count });
    const steps = await adminSql`
      select payload ->> 'progress_message' as message from realtime.messages
      where payload ->> 'job_id' = ${job.id} and payload ->> 'progress_message' like '% tables read'`;
    expect(steps.length).toBeGreaterThan(1);
  }, 180_000);
});
