import { createHash } from 'node:crypto';
import type { BackupManifest } from '@westwallet/shared/exports';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { strFromU8, unzipSync } from 'fflate';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { addTransaction, categoryIds } from '../helpers/finance.ts';
import { mailsTo, waitForMail } from '../helpers/mail.ts';
import { householdWithMembers, type SharedHousehold } from '../helpers/organizations.ts';
import { collector, joined } from '../helpers/realtime.ts';
import { enqueue, finished, type Job, waitForJob } from '../jobs/helpers.ts';

/**
 * The exports as a member asks for them: enqueue_job through the Data API, the jobs worker runs
 * the kind step by step, progress arrives on the organization's channel, and the file is
 * downloaded from the exports bucket through a signed URL.
 */
describe('exports run as background jobs', () => {
  let household: SharedHousehold;
  const references: string[] = [];

  beforeAll(async () => {
    household = await householdWithMembers('exportjobs');
    const { owner, orgId } = household;
    const ids = await categoryIds(owner, orgId);
    for (let i = 0; i < 12; i++) {
      const t = await addTransaction(owner, {
        org_id: orgId,
        currency: 'SEK',
        kind: i % 4 === 0 ? 'income' : 'expense',
        booked_on: `2026-0${1 + (i % 3)}-1${i % 10}`,
        amount_minor: 10_000 + i * 137,
        category_id: i % 4 === 0 ? null : ids.groceries,
        counterparty: `Butik ${i}; "Ö"`,
      });
      references.push(t.reference);
    }
  });

  afterAll(async () => {
    await household.member.client.removeAllChannels();
  });

  /** Runs `kind` as `who` and answers the finished job and its file. */
  async function exportFile(
    kind: string,
    params: Record<string, unknown>,
    who: 'member' | 'viewer' | 'owner' = 'member',
  ): Promise<{ job: Job; bytes: Uint8Array }> {
    const user = household[who];
    const queued = await enqueue(user, household.orgId, kind, params);
    const job = await waitForJob(queued.id, finished, 60_000);
    expect(job).toMatchObject({ status: 'succeeded', progress: 1 });
    const path = (job.result as { path: string }).path;
    expect(path.startsWith(`${household.orgId}/`)).toBe(true);
    const signed = await user.client.storage.from('exports').createSignedUrl(path, 60);
    expect(signed.error).toBeNull();
    const response = await fetch(signed.data?.signedUrl as string);
    expect(response.status).toBe(200);
    return { job, bytes: new Uint8Array(await response.arrayBuffer()) };
  }

  it('produces the CSV a member asked for, equal to what the Data API lists, with progress live', async () => {
    const progress = collector<{ payload: { job_id: string; status: string; progress: number } }>();
    await joined(
      household.member.client
        .channel(`org:${household.orgId}`, { config: { private: true } })
        .on('broadcast', { event: 'job' }, (message) => progress.push(message as never)),
    );

    const { job, bytes } = await exportFile('export.csv', { locale: 'sv', bom: true });
    const records: string[][] = parse(Buffer.from(bytes).toString('utf8'), { delimiter: ';', bom: true });
    const { data: listed } = await household.member.client.rpc('search_transactions', {
      org_id: household.orgId,
      max_rows: 100,
    });
    expect(records.slice(1).map((r) => r[0])).toEqual(listed?.map((t) => t.reference));
    expect(new Set(records.slice(1).map((r) => r[0]))).toEqual(new Set(references));
    await expect
      .poll(() => progress.items.filter((m) => m.payload.job_id === job.id).map((m) => m.payload.status), {
        timeout: 5000,
      })
      .toContain('succeeded');

    // And who asked gets the export's page by mail, once (in their language: the member signed up without one, so English).
    const ready = /^Your export from .* is ready$/;
    const mail = await waitForMail(household.member.email, { subject: ready });
    expect(mail.Text).toContain(`/exports/${job.id}`);
    expect(mail.Text).toContain('transactions.csv');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await mailsTo(household.member.email)).filter((m) => ready.test(m.Subject))).toHaveLength(1);
  });

  it('produces a workbook whose transaction sheet holds every transaction as numbers', async () => {
    const { bytes } = await exportFile('export.xlsx', { year: 2026 });
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(bytes) as never);
    const sheet = workbook.worksheets[0];
    const cells = sheet.getSheetValues().slice(2) as unknown[][];
    expect(new Set(cells.map((row) => row[1]))).toEqual(new Set(references));
    expect(cells.every((row) => row.some((value) => typeof value === 'number'))).toBe(true);
  });

  it('produces a PDF month report a viewer may ask for', async () => {
    const { bytes } = await exportFile('report.pdf', { year: 2026, month: 2 }, 'viewer');
    const pdf = await PDFDocument.load(bytes);
    expect(pdf.getPageCount()).toBeGreaterThan(0);
  });

  it("produces the owner's backup, every entry matching the manifest's checksum", async () => {
    const { bytes } = await exportFile('export.backup', {}, 'owner');
    const entries = unzipSync(bytes);
    const manifest = JSON.parse(strFromU8(entries['manifest.json'])) as BackupManifest;
    expect(manifest.organization.id).toBe(household.orgId);
    expect(manifest.tables.find((t) => t.name === 'transactions')?.rows).toBe(references.length);
    const named = Object.entries(manifest.entries);
    expect(named.length).toBeGreaterThan(1);
    for (const [path, entry] of named) {
      expect(createHash('sha256').update(entries[path]).digest('hex'), path).toBe(entry.sha256);
    }
  });

  it('reports last month on the first, once, for an organization that booked in it', async () => {
    // A month no other suite books in, so the schedule finds this household alone.
    await addTransaction(household.owner, {
      org_id: household.orgId,
      currency: 'SEK',
      kind: 'expense',
      booked_on: '1911-05-10',
      amount_minor: 4200,
    });
    const schedule = () => adminSql<{ n: number }[]>`select private.enqueue_monthly_reports('1911-06-01') as n`;
    expect((await schedule())[0].n).toBe(1);
    expect((await schedule())[0].n).toBe(1);
    const jobs = await adminSql<{ id: string; params: unknown; priority: string; requested_by: string | null }[]>`
      select id, params, priority::text, requested_by from public.jobs
      where org_id = ${household.orgId} and kind = 'report.pdf' and idempotency_key = 'report.pdf:1911-05'`;
    expect(jobs).toEqual([
      { id: expect.any(String), params: { year: 1911, month: 5 }, priority: 'scheduled', requested_by: null },
    ]);
    expect(await waitForJob(jobs[0].id, finished, 60_000)).toMatchObject({ status: 'succeeded' });
  });

  it('purges export files past their retention through a nightly job', async () => {
    const { job } = await exportFile('export.csv', {});
    const path = (job.result as { path: string }).path;
    await adminSql`
      update storage.objects set created_at = now() - interval '8 days' where bucket_id = 'exports' and name = ${path}`;
    expect((await adminSql<{ n: number }[]>`select private.enqueue_export_purges() as n`)[0].n).toBeGreaterThan(0);
    const [purge] = await adminSql<{ id: string }[]>`
      select id from public.jobs where org_id = ${household.orgId} and kind = 'export.purge'`;
    expect(await waitForJob(purge.id, finished, 60_000)).toMatchObject({ status: 'succeeded' });
    const signed = await household.member.client.storage.from('exports').createSignedUrl(path, 60);
    expect(signed.data).toBeNull();
  });

  it('refuses a backup to a member, whose role is below the kind’s', async () => {
    const { error } = await household.member.client.rpc('enqueue_job', {
      org_id: household.orgId,
      kind: 'export.backup',
      params: {},
    });
    expect(error).toMatchObject({ code: 'PT403', message: 'ROLE_FORBIDDEN' });
  });
});
