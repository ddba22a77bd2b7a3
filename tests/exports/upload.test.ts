import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  exportsBucket,
  finishUpload,
  newUpload,
  removeStaging,
  restartingWhenUploadGone,
  type UploadState,
  writeThrough,
} from '../../supabase/functions/_shared/exports/upload.ts';
import type { JobKind, StepContext } from '../../supabase/functions/_shared/jobs/kind.ts';
import { restStorage, UploadGone } from '../../supabase/functions/_shared/jobs/storage.ts';
import { adminSql } from '../helpers/db.ts';
import { target } from '../helpers/target.ts';

/**
 * How an export's steps upload its file (supabase/functions/_shared/exports/upload.ts), through
 * the stack's Storage with the secret key as the jobs worker does: steps whose output does not
 * fall on 6 MB chunks, and a step that runs again after it died with its chunk sent.
 */
const storage = restStorage(target.url, target.serviceKey);
const file = { name: 'data.bin', contentType: 'application/octet-stream' };
const mb = 1024 * 1024;

function context(): StepContext {
  return {
    jobId: randomUUID(),
    orgId: randomUUID(),
    requestedBy: null,
    attempt: 1,
    sql: adminSql,
    storage,
    deadline: { remainingMs: () => 1000 },
  };
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('an export uploading its file as its steps go', () => {
  it('writes steps of any size into one object, the last step only finishing it', async () => {
    const ctx = context();
    const pieces = [randomBytes(8 * mb + 17), randomBytes(3), randomBytes(5 * mb), randomBytes(11 * mb + 1)];
    let upload: UploadState = newUpload();
    for (const piece of pieces) upload = await writeThrough(ctx, file, upload, [piece]);
    // Whole chunks only went out, and what is held back is less than a chunk plus the last step's output.
    expect(upload.sent % (6 * mb)).toBe(0);
    expect(upload.sent + upload.held).toBe(pieces.reduce((n, p) => n + p.length, 0));
    const { path, size } = await finishUpload(ctx, file, upload, [Buffer.from('end')]);
    await removeStaging(ctx);

    const stored = await storage.download(exportsBucket, path);
    expect(size).toBe(stored.length);
    expect(sha(stored)).toBe(sha(Buffer.concat([...pieces, Buffer.from('end')])));
    const staging = await adminSql`select name from storage.objects
                                   where bucket_id = ${exportsBucket} and name like ${`${ctx.orgId}/%/staging/%`}`;
    expect(staging).toHaveLength(0);
  });

  it('appends nothing twice when a step that sent a chunk runs again from its checkpoint with other rows', async () => {
    const ctx = context();
    const first = randomBytes(8 * mb);
    const checkpoint = await writeThrough(ctx, file, newUpload(), [first]);
    // This run sends the first 6 MB, then dies before its checkpoint is saved ...
    const lost = await writeThrough(ctx, file, checkpoint, [randomBytes(2 * mb)]);
    expect(lost.sent).toBe(6 * mb);
    // ... and runs again from the old checkpoint, reading other rows this time (say, one was added).
    const again = randomBytes(2 * mb + 100);
    const retried = await writeThrough(ctx, file, checkpoint, [again]);
    expect(retried.sent).toBe(6 * mb);
    // The last step too may run twice.
    const finished = await finishUpload(ctx, file, retried, []);
    expect(await finishUpload(ctx, file, retried, [])).toEqual(finished);

    const stored = await storage.download(exportsBucket, finished.path);
    expect(sha(stored)).toBe(sha(Buffer.concat([first, again])));
    await removeStaging(ctx);
  });

  it('starts the file again when its upload URL is gone, as after 24 hours', async () => {
    const ctx = context();
    const upload = await writeThrough(ctx, file, newUpload(), [randomBytes(7 * mb)]);
    const gone = {
      ...upload,
      url: `${target.url}/storage/v1/upload/resumable/${Buffer.from(`x/${randomUUID()}`).toString('base64url')}`,
    };
    await expect(writeThrough(ctx, file, gone, [])).rejects.toBeInstanceOf(UploadGone);

    const kind: JobKind<Record<string, never>, { upload: UploadState }, null> = restartingWhenUploadGone({
      name: 'test.upload',
      role: 'viewer',
      params: undefined as never,
      initialState: () => ({ upload: newUpload() }),
      step: async (step, _params, state) => ({
        state: { upload: await writeThrough(step, file, state.upload, []) },
        progress: { fraction: 0.5, message: 'writing' },
      }),
    });
    const result = await kind.step(ctx, {}, { upload: gone });
    expect(result.state).toEqual({ upload: newUpload() });
    expect(result.progress.fraction).toBe(0);
    await removeStaging(ctx);
  });
});
