import { randomUUID } from 'node:crypto';
import type { BackupManifest } from '@westwallet/shared/exports';
import { strFromU8, unzipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { addContract } from '../helpers/contracts.ts';
import { adminSql } from '../helpers/db.ts';
import { addProperty, addVehicle, addVehicleEvent } from '../helpers/home.ts';
import { addTag } from '../helpers/records.ts';
import { type StatsHousehold, statsHousehold } from '../statistics/household.ts';
import { exportBackup, type RestoreResult, restore, uploadBackup } from './helpers.ts';

const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

function rows(files: Record<string, Uint8Array>, table: string): Record<string, unknown>[] {
  return strFromU8(files[`data/${table}.ndjson`])
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l));
}

/**
 * The two backups' ids told apart only by what they point at: the organizations map to each
 * other, and each record to the one with its reference; any other id (a split's own) becomes a
 * placeholder. What is left must be equal, table by table.
 */
function canonical(files: Record<string, Uint8Array>, manifest: BackupManifest): Map<string, string[]> {
  const names = new Map<string, string>([[manifest.organization.id, 'org']]);
  for (const t of manifest.tables)
    for (const row of rows(files, t.name))
      if (typeof row.reference === 'string') names.set(row.id as string, `${t.name}:${row.reference}`);
  const out = new Map<string, string[]>();
  for (const t of manifest.tables) {
    const lines = rows(files, t.name).map((row) => JSON.stringify(row).replace(uuid, (id) => names.get(id) ?? '<id>'));
    out.set(t.name, lines.sort());
  }
  return out;
}

describe('restoring a backup into a new organization', () => {
  let household: StatsHousehold;
  let receipt: Uint8Array;

  beforeAll(async () => {
    household = await statsHousehold();
    const { owner, orgId, ids } = household;
    // Tags on a transaction, a split, a vendor, an account, a contract's worth of references and a file.
    const tag = await addTag(owner, orgId, `Kvitton ${randomUUID().slice(0, 6)}`);
    const { data: account } = await owner.client
      .from('accounts')
      .insert({ org_id: orgId, name: 'Lönekonto', kind: 'bank', currency: 'SEK' })
      .select('id')
      .single();
    // A contract paid from the account, a house and a car with an event: records pointing at records.
    const contract = await addContract(owner, orgId, {
      name: 'Bredband',
      category_id: ids.streaming,
      account_id: account?.id as string,
    });
    const house = await addProperty(owner, orgId, 'Villan');
    const car = await addVehicle(owner, orgId);
    expect(
      (await addVehicleEvent(owner, orgId, car.id, { kind: 'fuel', occurred_on: '2026-02-10', amount_minor: 80_000 }))
        .error,
    ).toBeNull();
    const { error: paid } = await owner.client.from('transactions').insert({
      org_id: orgId,
      currency: 'SEK',
      kind: 'expense',
      booked_on: '2026-02-01',
      amount_minor: 10_000,
      counterparty: 'Bredbandsbolaget',
      contract_id: contract.id,
      account_id: account?.id as string,
    });
    expect(paid).toBeNull();
    const { data: t, error } = await owner.client
      .from('transactions')
      .insert({
        org_id: orgId,
        currency: 'SEK',
        kind: 'expense',
        booked_on: '2026-03-03',
        amount_minor: 45_000,
        counterparty: 'Willys',
        account_id: account?.id,
        property_id: house.id,
        vehicle_id: car.id,
      })
      .select('id')
      .single();
    expect(error).toBeNull();
    expect(
      (
        await owner.client.rpc('set_transaction_splits', {
          transaction_id: t?.id as string,
          parts: [
            { category_id: ids.groceries, amount_minor: 30_000 },
            { category_id: ids.restaurants, amount_minor: 15_000, note: 'lunch' },
          ],
        } as never)
      ).error,
    ).toBeNull();
    expect(
      (
        await owner.client
          .from('transaction_tags')
          .insert({ org_id: orgId, transaction_id: t?.id as string, tag_id: tag.id })
      ).error,
    ).toBeNull();
    receipt = new TextEncoder().encode(`Kvitto Willys 450,00 kr ${randomUUID()}\n`);
    const path = `${orgId}/${randomUUID()}/kvitto.txt`;
    expect(
      (await owner.client.storage.from('attachments').upload(path, receipt, { contentType: 'text/plain' })).error,
    ).toBeNull();
    expect(
      (
        await owner.client.from('attachments').insert({
          org_id: orgId,
          object_path: path,
          file_name: 'kvitto.txt',
          record_table: 'transactions',
          record_id: t?.id as string,
        })
      ).error,
    ).toBeNull();
    // A receiver: in the backup, but its secret is not, so the restore leaves it out.
    const hook = await owner.client.rpc(
      'create_webhook_endpoint' as never,
      {
        org_id: orgId,
        url: 'https://hooks.example.com/westwallet',
        event_types: ['webhook.test'],
      } as never,
    );
    expect(hook.error).toBeNull();
  });

  it('gives the same content apart from ids when exported again, files and totals included', async () => {
    const { owner, orgId } = household;
    const backup = await exportBackup(owner, orgId);
    const first = unzipSync(backup);
    const firstManifest = JSON.parse(strFromU8(first['manifest.json'])) as BackupManifest;
    const path = await uploadBackup(owner, backup);

    const job = await restore(owner, orgId, { path, name: 'Återställt hushåll' });
    expect(job).toMatchObject({ status: 'succeeded', progress: 1 });
    const result = job.result as RestoreResult;
    expect(result.org_id).not.toBe(orgId);
    expect(result.attachments).toBe(1);
    expect(result.skipped).toEqual(
      expect.arrayContaining(['memberships', 'audit_log', 'jobs', 'webhook_endpoints', 'webhook_deliveries']),
    );

    // The new organization is the member's own, named as asked, with the backup's currency.
    const { data: org } = await owner.client
      .from('organizations')
      .select('name, base_currency, locale')
      .eq('id', result.org_id)
      .single();
    expect(org).toEqual({ name: 'Återställt hushåll', base_currency: 'SEK', locale: 'sv' });
    const { data: members } = await owner.client
      .from('memberships')
      .select('user_id, role')
      .eq('org_id', result.org_id);
    expect(members).toEqual([{ user_id: owner.user.id, role: 'owner' }]);

    // Export it again: every table the restore writes holds the same rows, ids aside.
    const second = unzipSync(await exportBackup(owner, result.org_id));
    const secondManifest = JSON.parse(strFromU8(second['manifest.json'])) as BackupManifest;
    const before = canonical(first, firstManifest);
    const after = canonical(second, secondManifest);
    const restored = firstManifest.tables.map((t) => t.name).filter((t) => !result.skipped.includes(t));
    // Each of these holds rows here, so the comparison below is never of two empty tables.
    const filled = ['accounts', 'categories', 'vendors', 'tags', 'transactions', 'transaction_splits'];
    filled.push('transaction_tags', 'exchange_rates', 'contracts', 'properties', 'vehicles', 'vehicle_events');
    filled.push('attachments');
    for (const table of filled) {
      expect(restored).toContain(table);
      expect(before.get(table)?.length, table).toBeGreaterThan(0);
    }
    for (const table of restored) {
      expect({ table, rows: after.get(table) }).toEqual({ table, rows: before.get(table) });
      expect(result.tables[table] ?? 0).toBe(before.get(table)?.length);
    }
    expect((before.get('transactions') ?? []).length).toBeGreaterThan(5);
    // The people's CSV (names of accounts, categories, vendors, tags, the splits) is the same file.
    expect(strFromU8(second['csv/transactions.csv'])).toBe(strFromU8(first['csv/transactions.csv']));

    // The file is in the new organization's folder, readable by its owner.
    const [attachment] = rows(second, 'attachments') as { object_path: string }[];
    expect(attachment.object_path.startsWith(`${result.org_id}/`)).toBe(true);
    const download = await owner.client.storage.from('attachments').download(attachment.object_path);
    expect(new Uint8Array(await (download.data as Blob).arrayBuffer())).toEqual(receipt);

    // Totals rebuilt: the statistics answer as for the original.
    const stats = async (id: string) =>
      (await owner.client.rpc('expense_stats', { org_id: id, year: 2026 })).data as { totals: unknown };
    expect((await stats(result.org_id)).totals).toEqual((await stats(orgId)).totals);

    // New records continue after the restored references.
    const { data: added } = await owner.client
      .from('tags')
      .insert({ org_id: result.org_id, name: 'Efter återställning' })
      .select('reference')
      .single();
    const references = [...(before.get('transactions') ?? []), ...(before.get('tags') ?? [])].map(
      (l) => (JSON.parse(l) as { reference: string }).reference,
    );
    expect(references.every((r) => r < (added?.reference as string))).toBe(true);

    // The receiver was backed up but not restored.
    expect(before.get('webhook_endpoints')?.length).toBe(1);
    const { data: hooks } = await owner.client.from('webhook_endpoints').select('id').eq('org_id', result.org_id);
    expect(hooks).toEqual([]);

    // Nothing staged is left behind.
    const [{ count }] =
      await adminSql`select count(*)::int as count from private.restore_rows where job_id = ${job.id}`;
    expect(count).toBe(0);
  }, 180_000);
});
