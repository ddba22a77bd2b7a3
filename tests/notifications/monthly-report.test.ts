import { PDFDocument } from 'pdf-lib';
import { expect, it } from 'vitest';
import { signUpUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { addTransaction } from '../helpers/finance.ts';
import { waitForMail } from '../helpers/mail.ts';
import { finished, waitForJob } from '../jobs/helpers.ts';

/**
 * The monthly report (exports' scheduled report.pdf) reaches the organization's owners as an
 * export_ready notification: in the app, and by mail in their language with a link to the
 * export's page, where a member signs the PDF's download.
 */
it('tells the owner of the monthly report in the app and by mail in Finnish, with its PDF', async () => {
  const owner = await signUpUser('report', { locale: 'fi' });
  const [{ id: orgId, base_currency: currency }] = await adminSql`
    select id, base_currency from public.organizations where created_by = ${owner.user.id}`;
  // A month no other suite books in, so the schedule finds this organization alone.
  await addTransaction(owner, {
    org_id: orgId,
    currency,
    kind: 'expense',
    booked_on: '1912-02-14',
    amount_minor: 31_500,
  });
  await adminSql`select private.enqueue_monthly_reports('1912-03-01')`;
  const [queued] = await adminSql<{ id: string }[]>`
    select id from public.jobs where org_id = ${orgId} and kind = 'report.pdf' and idempotency_key = 'report.pdf:1912-02'`;
  const job = await waitForJob(queued.id, finished, 60_000);
  expect(job.status).toBe('succeeded');

  const mail = await waitForMail(owner.email, { subject: /^Vientisi on valmis/ });
  expect(mail.Text).toContain(`/exports/${job.id}`);
  expect(mail.Text).toContain('.pdf');
  const { data: notes } = await owner.client.from('notifications').select('kind, data').eq('kind', 'export_ready');
  expect(notes).toEqual([{ kind: 'export_ready', data: expect.objectContaining({ job_id: job.id }) }]);

  const path = (job.result as { path: string }).path;
  const signed = await owner.client.storage.from('exports').createSignedUrl(path, 60);
  expect(signed.error).toBeNull();
  const pdf = await PDFDocument.load(await (await fetch(signed.data?.signedUrl as string)).arrayBuffer());
  expect(pdf.getPageCount()).toBeGreaterThan(0);
});
