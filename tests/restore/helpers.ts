import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { enqueue, finished, type Job, waitForJob } from '../jobs/helpers.ts';

/** Runs export.backup of `orgId` as `user` (an admin of it) and answers the ZIP's bytes. */
export async function exportBackup(user: TestUser, orgId: string): Promise<Uint8Array> {
  const queued = await enqueue(user, orgId, 'export.backup', {});
  const job = await waitForJob(queued.id, finished, 90_000);
  expect(job).toMatchObject({ status: 'succeeded' });
  const { data, error } = await user.client.storage.from('exports').download((job.result as { path: string }).path);
  expect(error).toBeNull();
  return new Uint8Array(await (data as Blob).arrayBuffer());
}

/** Uploads a ZIP into the user's own folder of the restores bucket; answers its path. */
export async function uploadBackup(user: TestUser, bytes: Uint8Array): Promise<string> {
  const path = `${user.user.id}/${randomUUID()}.zip`;
  const { error } = await user.client.storage.from('restores').upload(path, bytes, { contentType: 'application/zip' });
  expect(error).toBeNull();
  return path;
}

/** Asks for a restore of `path` as `user`, through enqueue_job in `orgId`, and waits for its end. */
export async function restore(
  user: TestUser,
  orgId: string,
  params: { path: string; name?: string },
  idempotencyKey?: string,
): Promise<Job> {
  const queued = await enqueue(user, orgId, 'import.backup', params, idempotencyKey);
  return waitForJob(queued.id, finished, 90_000);
}

export interface RestoreResult {
  org_id: string;
  tables: Record<string, number>;
  attachments: number;
  skipped: string[];
}
