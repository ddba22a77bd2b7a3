import { beforeAll, describe, expect, it } from 'vitest';
import { addTransaction, createAccount } from '../helpers/finance.ts';
import { householdWithMembers, type SharedHousehold } from '../helpers/organizations.ts';
import { fixture } from './formats/fixtures.ts';
import {
  batchCount,
  batchOf,
  commitBatch,
  liveTransactions,
  rowsOf,
  runJob,
  undoBatch,
  uploadStatement,
} from './pipeline-helpers.ts';

/**
 * One file of each structured format from upload to commit, as an app runs it: the file goes to
 * the imports bucket under its own name, the preview detects the format from the content (no
 * `format` given), and the batch, its rows, the commit and the transactions are read through the
 * Data API. What each parser reads field by field is in tests/imports/formats; here it is what
 * the pipeline makes of it: rows, problems, duplicates, balances, bank references.
 */
describe('importing OFX, QIF, CAMT and MT940 statements', () => {
  let sek: SharedHousehold;
  let eur: SharedHousehold;

  beforeAll(async () => {
    [sek, eur] = await Promise.all([
      householdWithMembers('importfmt'),
      householdWithMembers('importfmteur', { locale: 'fi' }),
    ]);
  });

  /** Uploads a fixture under its file name and previews it; answers the finished job. */
  async function preview(household: SharedHousehold, account: string, file: string, extra = {}) {
    const { member, orgId } = household;
    const path = await uploadStatement(member, orgId, fixture(file), file.split('/').pop());
    return runJob(member, orgId, 'import.preview', { account_id: account, path, ...extra });
  }

  async function previewed(household: SharedHousehold, account: string, file: string, extra = {}) {
    const job = await preview(household, account, file, extra);
    expect(job, JSON.stringify(job)).toMatchObject({ status: 'succeeded' });
    const result = job.result as { batch_id: string };
    return { batchId: result.batch_id, result };
  }

  const rowSummary = async (household: SharedHousehold, batchId: string) =>
    (await rowsOf(household.member, batchId)).map((r) => [
      r.line,
      r.booked_on,
      r.amount_minor,
      r.counterparty,
      r.bank_reference,
      r.status,
    ]);

  it('reads an OFX 1.6 file in Windows-1252: an entry in another currency and a bad date are problems', async () => {
    const { member, orgId } = sek;
    // The statement's ledger balance (10,250.50 on 5 January) less its two SEK entries.
    const account = await createAccount(member, orgId, {
      number_hint: '7890',
      opening_balance_minor: 900_000,
      opening_on: '2025-12-31',
    });
    const { batchId, result } = await previewed(sek, account, 'ofx/spec-ofx160-sgml-cp1252.ofx');
    expect(result).toEqual({ batch_id: batchId, entries: 2, new: 2, duplicate: 0, conflict: 0, problems: 2 });
    const batch = await batchOf(member, batchId);
    expect(batch).toMatchObject({
      format: 'ofx',
      preset: null,
      mapping: null,
      statement_account: '8327-9 123 456 789-0',
      opening_balance_minor: null,
      closing_balance_minor: 1_025_050,
      closing_on: '2026-01-05',
    });
    expect((batch.problems as { line: number; code: string }[]).map((p) => [p.line, p.code])).toEqual([
      [62, 'IMPORT_CURRENCY_MISMATCH'],
      [73, 'IMPORT_DATE_INVALID'],
    ]);
    expect(await rowSummary(sek, batchId)).toEqual([
      [39, '2026-01-02', -24_950, 'ICA Nära Källhagen', 'SWB2026010200001', 'new'],
      [48, '2026-01-03', 150_000, 'Åsa Öberg', 'SWB2026010300002', 'new'],
    ]);

    expect(await commitBatch(member, orgId, batchId)).toEqual({
      batch_id: batchId,
      imported: 2,
      opening_difference_minor: null,
      closing_difference_minor: 0,
    });
    const written = await liveTransactions(member, account);
    expect(written.map((t) => [t.booked_on, t.kind, t.amount_minor, t.counterparty, t.bank_reference])).toEqual([
      ['2026-01-02', 'expense', 24_950, 'ICA Nära Källhagen', 'SWB2026010200001'],
      ['2026-01-03', 'income', 150_000, 'Åsa Öberg', 'SWB2026010300002'],
    ]);

    // The same file again: both entries are found by their FITID, nothing new.
    const again = await previewed(sek, account, 'ofx/spec-ofx160-sgml-cp1252.ofx');
    expect(again.result).toMatchObject({ new: 0, duplicate: 2 });
    expect((await rowsOf(member, again.batchId)).map((r) => r.match_reason)).toEqual(['reference', 'reference']);
  });

  it('reads a QIF file whose dates settle month first, into a SEK account', async () => {
    const { member, orgId } = sek;
    const account = await createAccount(member, orgId, { opening_balance_minor: 250_000, opening_on: '2025-12-31' });
    const { batchId, result } = await previewed(sek, account, 'qif/spec-quicken-bank-mdy.qif');
    expect(result).toEqual({ batch_id: batchId, entries: 3, new: 3, duplicate: 0, conflict: 0, problems: 0 });
    expect(await batchOf(member, batchId)).toMatchObject({
      format: 'qif',
      currency: 'SEK',
      opening_balance_minor: 250_000,
      opening_on: '2025-12-31',
    });
    expect(await rowSummary(sek, batchId)).toEqual([
      [14, '2026-01-02', -123_456, 'Green Valley Realty', null, 'new'],
      [21, '2026-01-05', -6418, 'City Power & Light', null, 'new'],
      [32, '2026-01-15', 312_000, 'Acme Corp Payroll', null, 'new'],
    ]);
    expect(await commitBatch(member, orgId, batchId)).toMatchObject({ imported: 3, opening_difference_minor: 0 });
  });

  it('asks for the date order of a QIF file that cannot settle it, and reads it with the order given', async () => {
    const { member, orgId } = eur;
    const account = await createAccount(member, orgId, { currency: 'EUR' });
    const before = await batchCount(orgId);
    const refused = await preview(eur, account, 'qif/spec-ccard-ambiguous-decimal-comma.qif');
    expect(refused).toMatchObject({ status: 'failed', last_error_code: 'IMPORT_DATE_AMBIGUOUS' });
    expect(await batchCount(orgId)).toBe(before);

    const { batchId } = await previewed(eur, account, 'qif/spec-ccard-ambiguous-decimal-comma.qif', {
      date_order: 'DMY',
    });
    expect((await rowsOf(member, batchId)).map((r) => [r.line, r.booked_on, r.amount_minor])).toEqual([
      [2, '2026-01-03', -4590],
      [7, '2026-01-05', -129_900],
      [11, '2026-01-07', 12_000],
    ]);
  });

  it('reads a CAMT.053 statement: a split batch entry, a pending entry left out, a typed payment found', async () => {
    const { member, orgId } = sek;
    const account = await createAccount(member, orgId, {
      number_hint: '7466',
      opening_balance_minor: 1_250_000,
      opening_on: '2026-01-01',
    });
    // Typed by hand the day before the bank booked it: the same payment, not a new one.
    const typed = await addTransaction(member, {
      org_id: orgId,
      account_id: account,
      kind: 'expense',
      booked_on: '2026-01-06',
      amount_minor: 124_575,
      currency: 'SEK',
      counterparty: 'Vattenfall',
    });
    const { batchId, result } = await previewed(sek, account, 'camt/spec-camt053.v04-nordic-latin1.xml');
    expect(result).toEqual({ batch_id: batchId, entries: 4, new: 3, duplicate: 1, conflict: 0, problems: 1 });
    const batch = await batchOf(member, batchId);
    expect(batch).toMatchObject({
      format: 'camt.053',
      statement_account: 'SE4550000000058398257466',
      opening_balance_minor: 1_250_000,
      opening_on: '2026-01-02',
      closing_balance_minor: 4_103_225,
      closing_on: '2026-01-09',
    });
    expect((batch.problems as { line: number; code: string }[]).map((p) => [p.line, p.code])).toEqual([
      [4, 'IMPORT_ENTRY_NOT_BOOKED'],
    ]);
    const rows = await rowsOf(member, batchId);
    expect(rows.map((r) => [r.line, r.amount_minor, r.counterparty, r.bank_reference, r.status])).toEqual([
      [1, 3_250_000, 'Göteborgs Stad', '2026010500012345', 'new'],
      [2, -124_575, 'Vattenfall AB', '2026010700023456', 'duplicate'],
      [3, -222_200, 'Telia Sverige AB', '2026010800034567-1', 'new'],
      [3, -50_000, 'Röda Korset', 'E2E-2', 'new'],
    ]);
    expect(rows[1]).toMatchObject({ duplicate_of: typed.id, match_reason: 'near_day', decision: 'skip' });

    // With the typed payment, the account agrees with both of the statement's balances.
    expect(await commitBatch(member, orgId, batchId)).toEqual({
      batch_id: batchId,
      imported: 3,
      opening_difference_minor: 0,
      closing_difference_minor: 0,
    });
    expect((await liveTransactions(member, account)).map((t) => [t.booked_on, t.counterparty])).toEqual([
      ['2026-01-05', 'Göteborgs Stad'],
      ['2026-01-06', 'Vattenfall'],
      ['2026-01-08', 'Telia Sverige AB'],
      ['2026-01-08', 'Röda Korset'],
    ]);
  });

  it('reads a CAMT.054 notification into the account its IBAN ends in, and no other', async () => {
    const { member, orgId } = eur;
    const other = await createAccount(member, orgId, { currency: 'EUR', number_hint: '9999' });
    const before = await batchCount(orgId);
    const wrong = await preview(eur, other, 'camt/spec-camt054.v08-finnish.xml');
    expect(wrong).toMatchObject({ status: 'failed', last_error_code: 'IMPORT_ACCOUNT_MISMATCH' });
    expect(await batchCount(orgId)).toBe(before);

    const account = await createAccount(member, orgId, { currency: 'EUR', number_hint: '0785' });
    const { batchId, result } = await previewed(eur, account, 'camt/spec-camt054.v08-finnish.xml');
    expect(result).toMatchObject({ entries: 2, new: 2, problems: 0 });
    expect(await batchOf(member, batchId)).toMatchObject({ format: 'camt.054', closing_balance_minor: null });
    expect(await rowSummary(eur, batchId)).toEqual([
      [1, '2026-03-12', 8990, 'Mikko Virtanen', 'RF18539007547034', 'new'],
      [2, '2026-03-12', -1500, 'Väinö Mäkelä', 'OP-REV-0042', 'new'],
    ]);
    expect(await commitBatch(member, orgId, batchId)).toEqual({
      batch_id: batchId,
      imported: 2,
      opening_difference_minor: null,
      closing_difference_minor: null,
    });
  });

  it('reads an MT940 file in its SWIFT envelope, commits it, finds all of it again, and undoes it', async () => {
    const { member, orgId } = eur;
    // :60F: is dated 30 December, the previous statement's day, whose last payment the account
    // has: the opening balance (1,520.00) is the account's at the end of that day, not before it.
    const account = await createAccount(member, orgId, { currency: 'EUR', opening_balance_minor: 160_000 });
    await addTransaction(member, {
      org_id: orgId,
      account_id: account,
      kind: 'expense',
      booked_on: '2025-12-30',
      amount_minor: 8000,
      currency: 'EUR',
      counterparty: 'Bäckerei Krimphove',
    });
    const { batchId, result } = await previewed(eur, account, 'mt940/spec-sparkasse-envelope-latin1.sta');
    expect(result).toEqual({ batch_id: batchId, entries: 5, new: 5, duplicate: 0, conflict: 0, problems: 0 });
    expect(await batchOf(member, batchId)).toMatchObject({
      format: 'mt940',
      statement_account: 'DE89370400440532013000',
      opening_balance_minor: 152_000,
      closing_balance_minor: 400_450,
      closing_on: '2026-01-02',
    });
    // A debit and its reversal, same amount and payee, different bank references: both kept.
    expect(await rowSummary(eur, batchId)).toEqual([
      [6, '2026-01-02', -4290, 'Stadtwerke Münster GmbH', '2512310001', 'new'],
      [11, '2025-12-31', -1250, null, null, 'new'],
      [21, '2026-01-02', 250_000, 'Muster GmbH & Co. KG', '2601020007', 'new'],
      [25, '2026-01-02', 4290, 'Stadtwerke Muenster GmbH', '2601020011', 'new'],
      [28, '2026-01-02', -300, null, null, 'new'],
    ]);
    expect(await commitBatch(member, orgId, batchId)).toEqual({
      batch_id: batchId,
      imported: 5,
      opening_difference_minor: 0,
      closing_difference_minor: 0,
    });

    const again = await previewed(eur, account, 'mt940/spec-sparkasse-envelope-latin1.sta');
    expect(again.result).toMatchObject({ new: 0, duplicate: 5 });

    expect(await undoBatch(member, batchId)).toEqual({ batch_id: batchId, trashed: 5 });
    expect((await liveTransactions(member, account)).map((t) => t.counterparty)).toEqual(['Bäckerei Krimphove']);
  });

  it('refuses a file named as another format than it is, and XML that is no statement, writing nothing', async () => {
    const { member, orgId } = eur;
    const account = await createAccount(member, orgId, { currency: 'EUR' });
    const before = await batchCount(orgId);
    const mislabeled = await preview(eur, account, 'camt/spec-camt054.v08-finnish.xml', { format: 'ofx' });
    expect(mislabeled).toMatchObject({ status: 'failed', last_error_code: 'IMPORT_FORMAT_MISMATCH' });

    const report = new TextDecoder()
      .decode(fixture('camt/spec-camt054.v08-finnish.xml'))
      .replaceAll('camt.054.001.08', 'camt.052.001.08');
    const path = await uploadStatement(member, orgId, report, 'report.xml');
    const job = await runJob(member, orgId, 'import.preview', { account_id: account, path });
    expect(job).toMatchObject({ status: 'failed', last_error_code: 'IMPORT_FORMAT_UNSUPPORTED' });
    expect(await batchCount(orgId)).toBe(before);
  });
});
