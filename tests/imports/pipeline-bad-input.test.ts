import { beforeAll, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { createAccount } from '../helpers/finance.ts';
import { householdWithMembers, type SharedHousehold, signUpHousehold } from '../helpers/organizations.ts';
import { enqueue } from '../jobs/helpers.ts';
import {
  batchCount,
  batchOf,
  liveTransactions,
  nordeaCsv,
  previewStatement,
  rowsOf,
  runJob,
  uploadStatement,
} from './pipeline-helpers.ts';

/**
 * Files an import refuses: a clear code and line, and nothing written (no batch, no
 * transaction). Single unreadable lines are listed with their line and the rest is read.
 */
describe('bad statement files', () => {
  let household: SharedHousehold;
  let account: string;

  beforeAll(async () => {
    household = await householdWithMembers('importbad');
    account = await createAccount(household.member, household.orgId);
  });

  async function refused(content: string | Uint8Array, extra: Record<string, unknown> = {}) {
    const { member, orgId } = household;
    const before = await batchCount(orgId);
    const path = await uploadStatement(member, orgId, content);
    const job = await runJob(member, orgId, 'import.preview', { account_id: account, path, ...extra });
    expect(job.status).toBe('failed');
    expect(await batchCount(orgId)).toBe(before);
    expect(await liveTransactions(member, account)).toEqual([]);
    const [{ last_error_message: message }] = (
      await member.client.from('jobs').select('last_error_message').eq('id', job.id).throwOnError()
    ).data as { last_error_message: string }[];
    return { code: job.last_error_code, message };
  }

  it('refuses a truncated file, naming the line it breaks off in', async () => {
    const csv = 'Datum;Belopp;Text\n2026-01-02;-10,00;Kiosk\n2026-01-03;-20,00;"Bager';
    expect(await refused(csv)).toEqual({ code: 'IMPORT_FILE_TRUNCATED', message: expect.stringMatching(/^Line 3: /) });
  });

  it('refuses a malformed CSV with its line', async () => {
    const csv = 'Datum;Belopp;Text\n2026-01-02;-10,00;Kiosk\n2026-01-03;-20,00;Bage"r"i x\n';
    expect(await refused(csv)).toEqual({ code: 'IMPORT_FILE_MALFORMED', message: expect.stringMatching(/^Line 3: /) });
  });

  it('refuses a spreadsheet or PDF sent as a statement', async () => {
    const pdf = new Uint8Array([...new TextEncoder().encode('%PDF-1.7\n'), 0, 1, 2, 3, 0, 0]);
    expect((await refused(pdf)).code).toBe('IMPORT_FILE_UNREADABLE');
  });

  it('refuses a Latin-1 file read as UTF-8, naming the first line that is not', async () => {
    const latin1 = new Uint8Array(
      [...'Datum;Belopp;Text\n2026-01-02;-10,00;Kiosk\n2026-01-03;-20,00;Caf']
        .map((c) => c.charCodeAt(0))
        .concat([0xe9, 0x0a]),
    );
    expect(await refused(latin1, { mapping: { encoding: 'utf-8' } })).toEqual({
      code: 'IMPORT_ENCODING_INVALID',
      message: expect.stringMatching(/^Line 3: /),
    });
  });

  it('reads the same Latin-1 file when nobody says otherwise', async () => {
    const bytes = [...'Datum;Belopp;Text\n2026-01-03;-20,00;Caf'].map((c) => c.charCodeAt(0)).concat([0xe9, 0x0a]);
    const { member, orgId } = household;
    const other = await createAccount(member, orgId);
    const { batchId } = await previewStatement(member, orgId, other, new Uint8Array(bytes));
    expect((await rowsOf(member, batchId)).map((r) => r.counterparty)).toEqual(['Café']);
  });

  it('refuses a statement in another currency than the account', async () => {
    const csv = nordeaCsv([{ on: '2026-01-02', amount: '-10,00', name: 'Kiosk' }]).replace(';SEK;', ';EUR;');
    expect((await refused(csv)).code).toBe('IMPORT_CURRENCY_MISMATCH');
  });

  it('keeps every staged row in its batch’s currency: the database refuses another', async () => {
    const { member, orgId } = household;
    const csv = nordeaCsv([{ on: '2026-01-05', amount: '-12,00', name: 'Kiosk' }]);
    const { batchId } = await previewStatement(member, orgId, account, csv);
    const [row] = await rowsOf(member, batchId);
    expect(row.currency).toBe('SEK');
    // The commit writes a row's account amount as its own: a row in EUR on a SEK account would be wrong.
    await expect(adminSql`update public.import_rows set currency = 'EUR' where id = ${row.id}`).rejects.toMatchObject({
      code: '23503',
    });
    await expect(
      adminSql`insert into public.import_rows (org_id, batch_id, line, booked_on, amount_minor, currency, status, decision)
               values (${orgId}, ${batchId}, 99, '2026-01-06', -500, 'EUR', 'new', 'import')`,
    ).rejects.toMatchObject({ code: '23503' });
    expect(await rowsOf(member, batchId)).toHaveLength(1);
  });

  it('refuses a CSV whose columns cannot be mapped, and an empty one', async () => {
    expect((await refused('Hej;Hopp\nfoo;bar\nbaz;qux\n')).code).toBe('IMPORT_CSV_UNMAPPABLE');
    expect((await refused('\n\n')).code).toBe('IMPORT_FILE_EMPTY');
  });

  it('refuses a file over the size limit at the upload', async () => {
    const { member, orgId } = household;
    const big = new Uint8Array(20 * 1024 * 1024 + 1).fill(0x41);
    const { error } = await member.client.storage
      .from('imports')
      .upload(`${orgId}/too-big/statement.csv`, new Blob([big], { type: 'text/csv' }));
    expect(error).toMatchObject({ statusCode: '413' });
  });

  it('lists unreadable lines with their line and code, and leaves the bank summary out', async () => {
    const { member, orgId } = household;
    const other = await createAccount(member, orgId);
    const csv = `Datum;Belopp;Text
2026-02-01;-10,00;Kiosk
2026-02-31;-11,00;Not a day
2026-02-02;-12,5x;Not an amount
2026-02-03;0,00;Information
2026-02-04;-13,00;Bageri
Summa;-46,00;
`;
    const { batchId, job } = await previewStatement(member, orgId, other, csv);
    expect(job.result).toMatchObject({ entries: 2, new: 2, problems: 3 });
    const batch = await batchOf(member, batchId);
    expect((batch.problems as { line: number; code: string }[]).map((p) => [p.line, p.code])).toEqual([
      [3, 'IMPORT_DATE_INVALID'],
      [4, 'IMPORT_AMOUNT_INVALID'],
      [5, 'IMPORT_AMOUNT_ZERO'],
    ]);
    expect((await rowsOf(member, batchId)).map((r) => r.line)).toEqual([2, 6]);
  });

  it("refuses another organization's file or account, and a viewer", async () => {
    const { member, viewer, orgId } = household;
    const stranger = await signUpHousehold('importstranger');
    const theirAccount = await createAccount(stranger.owner, stranger.orgId);
    const theirFile = await uploadStatement(
      stranger.owner,
      stranger.orgId,
      nordeaCsv([{ on: '2026-01-02', amount: '-1,00', name: 'X' }]),
    );
    const mine = await uploadStatement(member, orgId, nordeaCsv([{ on: '2026-01-02', amount: '-1,00', name: 'X' }]));

    const readTheirs = await runJob(member, orgId, 'import.preview', { account_id: account, path: theirFile });
    expect(readTheirs).toMatchObject({ status: 'failed', last_error_code: 'IMPORT_FILE_NOT_FOUND' });
    const intoTheirs = await runJob(member, orgId, 'import.preview', { account_id: theirAccount, path: mine });
    expect(intoTheirs).toMatchObject({ status: 'failed', last_error_code: 'IMPORT_ACCOUNT_NOT_FOUND' });
    const badParams = await runJob(member, orgId, 'import.preview', {
      account_id: account,
      path: mine,
      mapping: { delimiter: 'x' },
    });
    expect(badParams).toMatchObject({ status: 'failed', last_error_code: 'JOB_PARAMS_INVALID' });

    await expect(enqueue(viewer, orgId, 'import.preview', { account_id: account, path: mine })).rejects.toThrow(
      /ROLE_FORBIDDEN/,
    );
    const upload = await viewer.client.storage.from('imports').upload(`${orgId}/viewer/statement.csv`, new Blob(['x']));
    expect(upload.error).not.toBeNull();
    const peek = await stranger.owner.client.storage.from('imports').download(mine);
    expect(peek.error).not.toBeNull();
  });

  it('refuses to commit a foreign-currency account without rates, writing nothing', async () => {
    const { member, orgId } = household;
    const euros = await createAccount(member, orgId, { currency: 'EUR' });
    const csv = nordeaCsv([{ on: '2026-01-02', amount: '-10,00', name: 'Kiosk' }]).replace(';SEK;', ';EUR;');
    const { batchId } = await previewStatement(member, orgId, euros, csv);
    const job = await runJob(member, orgId, 'import.commit', { batch_id: batchId });
    expect(job).toMatchObject({ status: 'failed', last_error_code: 'FX_RATE_MISSING' });
    expect(await batchOf(member, batchId)).toMatchObject({ status: 'previewed' });
    expect(await liveTransactions(member, euros)).toEqual([]);
  });
});
