import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { enqueue, finished, type Job, waitForJob } from '../jobs/helpers.ts';

/**
 * An import as an app runs it: the statement uploaded to the imports bucket with supabase-js, the
 * preview and commit enqueued as jobs, the batch and its rows read through the Data API.
 */

/** Uploads `content` into the organization's folder of the imports bucket; answers its path. */
export async function uploadStatement(
  user: TestUser,
  orgId: string,
  content: string | Uint8Array,
  name = 'statement.csv',
): Promise<string> {
  const path = `${orgId}/${randomUUID()}/${name}`;
  const body = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  // The type a browser gives a bank file is whatever its extension says; the preview reads the content.
  const type = name.endsWith('.csv')
    ? 'text/csv'
    : name.endsWith('.xml')
      ? 'application/xml'
      : 'application/octet-stream';
  const { error } = await user.client.storage.from('imports').upload(path, new Blob([body as BlobPart], { type }));
  if (error) throw new Error(`upload of ${path} failed: ${error.message}`);
  return path;
}

/** Runs a job of `kind` to its end as `user`. */
export async function runJob(user: TestUser, orgId: string, kind: string, params: Record<string, unknown>) {
  const queued = await enqueue(user, orgId, kind, params);
  return waitForJob(queued.id, finished, 60_000);
}

/** Uploads and previews a statement; the preview must succeed. Answers the batch id. */
export async function previewStatement(
  user: TestUser,
  orgId: string,
  accountId: string,
  content: string | Uint8Array,
  extra: Record<string, unknown> = {},
): Promise<{ batchId: string; job: Job }> {
  const path = await uploadStatement(user, orgId, content);
  const job = await runJob(user, orgId, 'import.preview', { account_id: accountId, path, ...extra });
  expect(job, JSON.stringify(job)).toMatchObject({ status: 'succeeded' });
  return { batchId: (job.result as { batch_id: string }).batch_id, job };
}

/** Commits a previewed batch; the commit must succeed. */
export async function commitBatch(user: TestUser, orgId: string, batchId: string) {
  const job = await runJob(user, orgId, 'import.commit', { batch_id: batchId });
  expect(job, JSON.stringify(job)).toMatchObject({ status: 'succeeded' });
  return job.result as {
    batch_id: string;
    imported: number;
    opening_difference_minor: number | null;
    closing_difference_minor: number | null;
  };
}

/**
 * Undoes a batch as an app does: `undo_import` answers the queued `import.undo` job, whose end
 * is awaited; the job must succeed. Answers the job's result.
 */
export async function undoBatch(user: TestUser, batchId: string) {
  const { data, error } = await user.client.rpc('undo_import', { batch_id: batchId });
  expect(error).toBeNull();
  expect(data).toMatchObject({ kind: 'import.undo', params: { batch_id: batchId } });
  const job = await waitForJob((data as { id: string }).id, finished, 60_000);
  expect(job, JSON.stringify(job)).toMatchObject({ status: 'succeeded' });
  return job.result as { batch_id: string; trashed: number };
}

export async function batchOf(user: TestUser, batchId: string) {
  const { data, error } = await user.client.from('import_batches').select('*').eq('id', batchId).single();
  if (error) throw new Error(`batch ${batchId}: ${error.code} ${error.message}`);
  return data;
}

export async function rowsOf(user: TestUser, batchId: string) {
  const { data, error } = await user.client.from('import_rows').select('*').eq('batch_id', batchId).order('line');
  if (error) throw new Error(`rows of ${batchId}: ${error.code} ${error.message}`);
  return data;
}

/** The account's live transactions, oldest first. */
export async function liveTransactions(user: TestUser, accountId: string) {
  const { data, error } = await user.client
    .from('transactions')
    .select(
      'id, kind, booked_on, amount_minor, counterparty, description, vendor_id, category_id, import_batch_id, bank_reference',
    )
    .eq('account_id', accountId)
    .is('deleted_at', null)
    .order('booked_on')
    .order('reference');
  if (error) throw new Error(`transactions of ${accountId}: ${error.code} ${error.message}`);
  return data;
}

/** Batches of the organization, read behind the API (what a failed preview left: nothing). */
export async function batchCount(orgId: string): Promise<number> {
  const [{ n }] = await adminSql<
    { n: number }[]
  >`select count(*)::int as n from public.import_batches where org_id = ${orgId}`;
  return n;
}

/** Lines of a semicolon CSV with a Nordea header, newest first as Nordea writes them. */
export function nordeaCsv(entries: { on: string; amount: string; name: string; balance?: string }[]): string {
  const lines = entries.map(
    (e) => `${e.on.replaceAll('-', '/')};${e.amount};;;${e.name};Kortköp ${e.name};${e.balance ?? ''};SEK;`,
  );
  return `Bokföringsdag;Belopp;Avsändare;Mottagare;Namn;Rubrik;Saldo;Valuta;\n${lines.join('\n')}\n`;
}
