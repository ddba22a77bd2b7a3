import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { categoryIds, createAccount } from '../helpers/finance.ts';
import { householdWithMembers, type SharedHousehold } from '../helpers/organizations.ts';
import {
  batchOf,
  commitBatch,
  liveTransactions,
  nordeaCsv,
  previewStatement,
  rowsOf,
  undoBatch,
} from './pipeline-helpers.ts';

/**
 * A statement from upload to undo, as a member's app does it: upload to the imports bucket,
 * enqueue the preview, read the batch, commit, undo.
 */
describe('importing a bank statement', () => {
  let household: SharedHousehold;

  beforeAll(async () => {
    household = await householdWithMembers('imports');
  });

  it('previews without writing, commits one batch with vendor defaults, and undoes it as a whole', async () => {
    const { member, orgId } = household;
    const account = await createAccount(member, orgId, { opening_balance_minor: 100_000, opening_on: '2026-10-01' });
    const ids = await categoryIds(member, orgId);
    // A vendor with a default category, as a member set it up before: imported rows use it.
    const { error: vendorError } = await member.client
      .from('vendors')
      .insert({ org_id: orgId, name: 'ICA Nära Kista', default_category_id: ids.groceries });
    expect(vendorError).toBeNull();

    const csv = `Bokföringsdag;Belopp;Avsändare;Mottagare;Namn;Rubrik;Saldo;Valuta;
Reserverat;-50,00;;;Pressbyrån;Kortköp;;SEK;
2026/11/03;-125,50;;;ICA Nära Kista;Kortköp 261102;123 374,50;SEK;
2026/11/02;25 000,00;;;Acme AB;Lön november;123 500,00;SEK;
2026/11/01;-1 500,00;;;Hyresvärden AB;Hyra;98 500,00;SEK;
`;
    const { batchId, job } = await previewStatement(member, orgId, account, csv);
    expect(job.result).toEqual({ batch_id: batchId, entries: 3, new: 3, duplicate: 0, conflict: 0, problems: 0 });
    const batch = await batchOf(member, batchId);
    expect(batch).toMatchObject({
      status: 'previewed',
      format: 'csv',
      preset: 'nordea',
      currency: 'SEK',
      opening_balance_minor: 10_000_000,
      opening_on: '2026-11-01',
      closing_balance_minor: 12_337_450,
      closing_on: '2026-11-03',
      new_count: 3,
      problem_count: 0,
    });
    expect(batch.mapping).toMatchObject({ delimiter: ';', decimalMark: ',', dateFormat: 'YYYY/MM/DD' });
    const rows = await rowsOf(member, batchId);
    expect(rows.map((r) => [r.line, r.booked_on, r.amount_minor, r.status, r.decision])).toEqual([
      [3, '2026-11-03', -12550, 'new', 'import'],
      [4, '2026-11-02', 2_500_000, 'new', 'import'],
      [5, '2026-11-01', -150_000, 'new', 'import'],
    ]);
    // The viewer sees the preview too.
    expect(await rowsOf(household.viewer, batchId)).toHaveLength(3);
    expect(await liveTransactions(member, account)).toEqual([]);

    const committed = await commitBatch(member, orgId, batchId);
    // The account opened at 1,000.00 on 1 October; the statement says 100,000.00 before
    // 1 November: a difference the import reports rather than hides.
    expect(committed).toEqual({
      batch_id: batchId,
      imported: 3,
      opening_difference_minor: 100_000 - 10_000_000,
      closing_difference_minor: 100_000 - 10_000_000,
    });
    const written = await liveTransactions(member, account);
    expect(written.map((t) => [t.booked_on, t.kind, t.amount_minor, t.counterparty, t.import_batch_id])).toEqual([
      ['2026-11-01', 'expense', 150_000, 'Hyresvärden AB', batchId],
      ['2026-11-02', 'income', 2_500_000, 'Acme AB', batchId],
      ['2026-11-03', 'expense', 12550, 'ICA Nära Kista', batchId],
    ]);
    const ica = written.find((t) => t.counterparty === 'ICA Nära Kista');
    expect(ica).toMatchObject({ category_id: ids.groceries, description: 'Kortköp 261102' });
    expect(written.every((t) => t.vendor_id !== null)).toBe(true);
    expect((await rowsOf(member, batchId)).every((r) => r.transaction_id !== null)).toBe(true);
    expect(await batchOf(member, batchId)).toMatchObject({ status: 'committed', imported_count: 3 });

    // A viewer may not undo; a member undoes the batch as a whole, through the import.undo job.
    const byViewer = await household.viewer.client.rpc('undo_import', { batch_id: batchId });
    expect(byViewer.error?.message).toBe('ROLE_FORBIDDEN');
    expect(await undoBatch(member, batchId)).toEqual({ batch_id: batchId, trashed: 3 });
    expect(await batchOf(member, batchId)).toMatchObject({ status: 'undone', undone_by: member.user.id });
    expect(await liveTransactions(member, account)).toEqual([]);
    const [{ trashed }] = await adminSql<{ trashed: number }[]>`
      select count(*)::int as trashed from public.transactions where import_batch_id = ${batchId} and deleted_at is not null`;
    expect(trashed).toBe(3);
    const again = await member.client.rpc('undo_import', { batch_id: batchId });
    expect(again.error).toMatchObject({ code: 'PT409', message: 'IMPORT_BATCH_CLOSED' });

    // Undone, the same statement is new again.
    const { job: reimport } = await previewStatement(member, orgId, account, csv);
    expect(reimport.result).toMatchObject({ new: 3, duplicate: 0 });

    // Each undone transaction is in the trash and comes back on its own.
    const restored = await member.client.rpc('restore_from_trash', { table_name: 'transactions', id: ica?.id ?? '' });
    expect(restored.error).toBeNull();
    expect((await liveTransactions(member, account)).map((t) => t.counterparty)).toEqual(['ICA Nära Kista']);
  });

  it('checks the balance: a statement that agrees with the account reports no difference', async () => {
    const { member, orgId } = household;
    const account = await createAccount(member, orgId, { opening_balance_minor: 50_000, opening_on: '2026-01-01' });
    const csv = nordeaCsv([
      { on: '2026-02-02', amount: '-100,00', name: 'Apoteket', balance: '400,00' },
      { on: '2026-02-01', amount: '-0,29', name: 'Bankavgift', balance: '500,00' },
    ]).replace('500,00', '499,71');
    const { batchId } = await previewStatement(member, orgId, account, csv);
    // The running balance says 500.00 before the first entry and 400.00 after the last, but
    // the entries move 100.29: the closing differs by 0.29, the opening by nothing.
    expect(await batchOf(member, batchId)).toMatchObject({
      opening_balance_minor: 50_000,
      closing_balance_minor: 40_000,
    });
    const committed = await commitBatch(member, orgId, batchId);
    expect(committed).toMatchObject({ imported: 2, opening_difference_minor: 0, closing_difference_minor: -29 });
  });

  it('lets a member override single decisions before the commit, and no one after it', async () => {
    const { member, viewer, orgId } = household;
    const account = await createAccount(member, orgId);
    const csv = nordeaCsv([
      { on: '2026-03-02', amount: '-45,00', name: 'Espresso House' },
      { on: '2026-03-01', amount: '-99,00', name: 'Spotify' },
    ]);
    const { batchId } = await previewStatement(member, orgId, account, csv);
    const [first, second] = await rowsOf(member, batchId);

    const { data: byViewer } = await viewer.client
      .from('import_rows')
      .update({ decision: 'skip' })
      .eq('id', second.id)
      .select();
    expect(byViewer).toEqual([]);
    const skip = await member.client.from('import_rows').update({ decision: 'skip' }).eq('id', first.id).select();
    expect(skip.error).toBeNull();
    expect(skip.data?.[0]).toMatchObject({ decision: 'skip', decided_by: member.user.id });

    const committed = await commitBatch(member, orgId, batchId);
    expect(committed.imported).toBe(1);
    expect((await liveTransactions(member, account)).map((t) => t.counterparty)).toEqual(['Spotify']);
    const late = await member.client.from('import_rows').update({ decision: 'import' }).eq('id', first.id);
    expect(late.error).toMatchObject({ code: 'PT409', message: 'IMPORT_BATCH_CLOSED' });
  });

  it('gives each new payee one vendor, and a merged-away name the vendor it was merged into', async () => {
    const { member, owner, orgId } = household;
    const account = await createAccount(member, orgId);
    const vendor = async (name: string) => {
      const { data, error } = await member.client.from('vendors').insert({ org_id: orgId, name }).select('id').single();
      if (error) throw new Error(`vendor insert failed: ${error.message}`);
      return data.id;
    };
    const [old, kept] = [await vendor('Kafé Gamla'), await vendor('Kafé Nya')];
    const merged = await owner.client.rpc('merge_vendors', { source_id: old, target_id: kept });
    expect(merged.error).toBeNull();
    const csv = nordeaCsv([
      { on: '2026-05-03', amount: '-30,00', name: 'Kafé Gamla' },
      { on: '2026-05-02', amount: '-20,00', name: 'Nybutiken AB' },
      { on: '2026-05-01', amount: '-10,00', name: 'NYBUTIKEN' },
    ]);
    const { batchId } = await previewStatement(member, orgId, account, csv);
    await commitBatch(member, orgId, batchId);
    const written = await liveTransactions(member, account);
    expect(written.find((t) => t.counterparty === 'Kafé Gamla')?.vendor_id).toBe(kept);
    const nybutiken = written.filter((t) => t.counterparty?.toLowerCase().startsWith('nybutiken'));
    expect(nybutiken).toHaveLength(2);
    expect(new Set(nybutiken.map((t) => t.vendor_id)).size).toBe(1);
    const { data: vendors } = await member.client
      .from('vendors')
      .select('id')
      .eq('org_id', orgId)
      .ilike('name', 'nybutiken%');
    expect(vendors?.map((v) => v.id)).toEqual([nybutiken[0].vendor_id]);
  });

  it('reads an account whose CSV only its saved mapping explains', async () => {
    const { member, orgId } = household;
    const account = await createAccount(member, orgId);
    // Unknown headers and a numeric first column: read by position, the amount would be the id.
    const csv = 'Nr;När;Hur mycket;Vad\n1001;2026-04-01;-12,00;Kiosk\n1002;2026-04-02;-8,50;Bageri\n';
    const guessed = await previewStatement(member, orgId, account, csv);
    expect((await rowsOf(member, guessed.batchId)).map((r) => r.amount_minor)).not.toEqual([-1200, -850]);

    const mapping = { skipRecords: 1, columns: { bookedOn: 1, amount: 2, counterparty: 3, reference: 0 } };
    const saved = await member.client.from('import_mappings').insert({ org_id: orgId, account_id: account, mapping });
    expect(saved.error).toBeNull();
    const { batchId } = await previewStatement(member, orgId, account, csv);
    expect((await rowsOf(member, batchId)).map((r) => [r.amount_minor, r.counterparty, r.bank_reference])).toEqual([
      [-1200, 'Kiosk', '1001'],
      [-850, 'Bageri', '1002'],
    ]);
    expect(await batchOf(member, batchId)).toMatchObject({ mapping: { columns: { amount: 2, reference: 0 } } });
  });
});
