import { createHash, randomUUID } from 'node:crypto';
import {
  attachmentFile,
  type BackupManifest,
  backupFormat,
  backupFormatVersion,
  csvHeader,
  manifestEntries,
  ndjson,
  tableFile,
  transactionRecords,
} from '@westwallet/shared/exports';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { serviceClient } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { statsHousehold } from '../statistics/household.ts';
import { asMember, PartZip, readTransactions } from './readers.ts';

describe('ZIP backup', () => {
  it("holds every table's rows and every attachment, and its entries match the manifest's checksums", async () => {
    const { owner, orgId } = await statsHousehold();
    const path = `${orgId}/${randomUUID()}/kvitto åäö.txt`;
    const receipt = new TextEncoder().encode('Kvitto: 1 234,56 kr\n');
    expect(
      (await owner.client.storage.from('attachments').upload(path, receipt, { contentType: 'text/plain' })).error,
    ).toBeNull();
    const { data: tag } = await owner.client
      .from('tags')
      .insert({ org_id: orgId, name: 'Kvitton' })
      .select('id')
      .single();
    const { data: attachment, error } = await owner.client
      .from('attachments')
      .insert({
        org_id: orgId,
        object_path: path,
        file_name: 'kvitto åäö.txt',
        record_table: 'tags',
        record_id: tag?.id as string,
      })
      .select()
      .single();
    expect(error).toBeNull();

    // What the backup job does, a page per step: every table, the CSV, the files, the manifest.
    const zip = new PartZip();
    const tables = await asMember(
      owner.user.id,
      (sql) => sql<{ table_name: string; depth: number }[]>`select * from private.export_tables()`,
    );
    const manifestTables: BackupManifest['tables'] = [];
    for (const { table_name, depth } of tables) {
      const pieces: string[] = [];
      let after: string | null = null;
      let rows = 0;
      for (;;) {
        const cursor: string | null = after;
        const page: { key: string; row_data: unknown }[] = await asMember(
          owner.user.id,
          (sql) => sql`select key, row_data from private.export_table_page(${table_name}, ${orgId}, ${cursor}, 2)`,
        );
        if (page.length === 0) break;
        pieces.push(ndjson(page.map((r) => r.row_data)));
        rows += page.length;
        after = page[page.length - 1].key;
      }
      await zip.add(tableFile(table_name), pieces);
      manifestTables.push({ name: table_name, file: tableFile(table_name), rows, depth });
    }
    const csv = (await readTransactions(owner.user.id, orgId, {}, 500)).map((p) =>
      transactionRecords(p, { locale: 'sv', bom: true }),
    );
    await zip.add('csv/transactions.csv', [csvHeader({ locale: 'sv', bom: true }), ...csv]);
    const file = await serviceClient().storage.from('attachments').download(path);
    const fileEntry = attachmentFile(attachment?.id as string, 'kvitto åäö.txt');
    await zip.add(fileEntry, [new Uint8Array(await (file.data as Blob).arrayBuffer())], 0);
    const [{ version }] = await adminSql`select max(version) as version from supabase_migrations.schema_migrations`;
    const manifest: BackupManifest = {
      format: backupFormat,
      format_version: backupFormatVersion,
      schema_version: version,
      created_at: new Date().toISOString(),
      organization: { id: orgId, name: 'Mitt hushåll', base_currency: 'SEK', locale: 'sv' },
      tables: manifestTables,
      attachments: [{ id: attachment?.id as string, object_path: path, file: fileEntry, size: receipt.length }],
      entries: manifestEntries(zip.entries),
    };
    await zip.add('manifest.json', [JSON.stringify(manifest, null, 2)]);

    // Read back with fflate: every entry the manifest names is there with its size and SHA-256.
    const files = unzipSync(await zip.bytes());
    const read = JSON.parse(strFromU8(files['manifest.json'])) as BackupManifest;
    expect(Object.keys(read.entries).sort()).toEqual(
      Object.keys(files)
        .filter((f) => f !== 'manifest.json')
        .sort(),
    );
    for (const [name, { size, sha256 }] of Object.entries(read.entries)) {
      expect(files[name].length).toBe(size);
      expect(createHash('sha256').update(files[name]).digest('hex')).toBe(sha256);
    }
    expect(read.schema_version).toMatch(/^\d{14}$/);
    expect(files[fileEntry]).toEqual(receipt);

    // The rows are the organization's live ones, all of them (the trash is not backed up).
    const lines = (table: string) =>
      strFromU8(files[tableFile(table)])
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l));
    const [{ count }] =
      await adminSql`select count(*)::int as count from public.transactions where org_id = ${orgId} and deleted_at is null`;
    expect(count).toBeGreaterThan(5);
    expect(lines('transactions')).toHaveLength(count);
    expect(read.tables.find((t) => t.name === 'transactions')?.rows).toBe(count);
    expect(lines('transactions').every((r) => r.org_id === orgId)).toBe(true);
    expect(lines('attachments').map((r) => r.object_path)).toEqual([path]);
    const order = read.tables.map((t) => t.name);
    expect(order.indexOf('accounts')).toBeLessThan(order.indexOf('transactions'));
    expect(order.indexOf('transactions')).toBeLessThan(order.indexOf('transaction_splits'));
  });
});
