import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Upload } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { target } from '../helpers/target.ts';

/**
 * Resumable uploads (TUS) as Storage documents them: chunks of exactly 6 MB but the last, the
 * object's bucket and name in Upload-Metadata, the finished object served like any other.
 */
const bucket = `resumable-${randomUUID().slice(0, 8)}`;
const endpoint = `${target.url}/storage/v1/upload/resumable`;
const chunk = 6 * 1024 * 1024;
const policy = (what: string) => `${bucket} ${what}`;

/** The secret key's headers, as the export jobs send them. */
function tusHeaders(extra: Record<string, string> = {}): Record<string, string> {
  const key = target.serviceKey;
  return { authorization: `Bearer ${key}`, apikey: key, 'tus-resumable': '1.0.0', ...extra };
}

function metadata(fields: Record<string, string>): string {
  return Object.entries(fields)
    .map(([key, value]) => `${key} ${Buffer.from(value).toString('base64')}`)
    .join(',');
}

/** Creates an upload of unknown length with the secret key; its URL. */
async function createUpload(objectName: string): Promise<string> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: tusHeaders({
      'upload-defer-length': '1',
      'upload-metadata': metadata({ bucketName: bucket, objectName, contentType: 'text/csv' }),
      'x-upsert': 'true',
    }),
  });
  expect(response.status).toBe(201);
  return response.headers.get('location') as string;
}

function patch(url: string, offset: number, bytes: Uint8Array, length?: number): Promise<Response> {
  const headers = tusHeaders({
    'upload-offset': String(offset),
    'content-type': 'application/offset+octet-stream',
    'x-upsert': 'true',
  });
  if (length !== undefined) headers['upload-length'] = String(length);
  return fetch(url, { method: 'PATCH', headers, body: bytes as BodyInit });
}

function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function tusUpload(user: TestUser, objectName: string, bytes: Buffer): Promise<void> {
  const { data } = await user.client.auth.getSession();
  const token = data.session?.access_token as string;
  return new Promise((resolve, reject) => {
    const upload = new Upload(bytes, {
      endpoint,
      chunkSize: chunk,
      retryDelays: [],
      headers: { authorization: `Bearer ${token}`, apikey: target.anonKey, 'x-upsert': 'true' },
      metadata: { bucketName: bucket, objectName, contentType: 'application/octet-stream' },
      onError: reject,
      onSuccess: () => resolve(),
    });
    upload.start();
  });
}

describe('Storage resumable uploads (TUS)', () => {
  let owner: TestUser;
  let stranger: TestUser;

  beforeAll(async () => {
    await adminSql`insert into storage.buckets (id, name, public) values (${bucket}, ${bucket}, false)`;
    const mine = `bucket_id = '${bucket}' and (storage.foldername(name))[1] = (select auth.uid())::text`;
    await adminSql.unsafe(`
      create policy "${policy('owners upload')}" on storage.objects for insert to authenticated with check (${mine});
      create policy "${policy('owners read')}" on storage.objects for select to authenticated using (${mine});
      create policy "${policy('owners replace')}" on storage.objects for update to authenticated
        using (${mine}) with check (${mine});
    `);
    [owner, stranger] = await Promise.all([signUpUser('owner'), signUpUser('stranger')]);
  });

  afterAll(async () => {
    await adminSql.unsafe(`
      drop policy if exists "${policy('owners upload')}" on storage.objects;
      drop policy if exists "${policy('owners read')}" on storage.objects;
      drop policy if exists "${policy('owners replace')}" on storage.objects;
    `);
    await adminSql`delete from storage.objects where bucket_id = ${bucket}`;
    await adminSql`delete from storage.buckets where id = ${bucket}`;
  });

  it('stores a 13 MB file sent in 6 MB chunks by tus-js-client, served and signed like any object', async () => {
    const bytes = randomBytes(13 * 1024 * 1024 + 123);
    const key = `${owner.user.id}/video.bin`;
    await tusUpload(owner, key, bytes);

    const download = await owner.client.storage.from(bucket).download(key);
    expect(download.error).toBeNull();
    expect(sha(new Uint8Array(await (download.data as Blob).arrayBuffer()))).toBe(sha(bytes));
    const [row] = await adminSql`select owner_id, (metadata ->> 'size')::bigint as size
                                 from storage.objects where bucket_id = ${bucket} and name = ${key}`;
    expect(row).toMatchObject({ owner_id: owner.user.id, size: String(bytes.length) });
    const signed = await owner.client.storage.from(bucket).createSignedUrl(key, 60);
    expect(signed.error).toBeNull();
    expect((await fetch(signed.data?.signedUrl as string)).status).toBe(200);
  });

  it("refuses a stranger's upload into the owner's folder, and stores nothing", async () => {
    const key = `${owner.user.id}/planted.bin`;
    await expect(tusUpload(stranger, key, randomBytes(1000))).rejects.toThrow(/403|400|Unauthorized|row-level/i);
    const rows = await adminSql`select 1 from storage.objects where bucket_id = ${bucket} and name = ${key}`;
    expect(rows).toHaveLength(0);
  });

  it('answers a chunk sent again at its old offset with 409, so nothing is appended twice', async () => {
    const key = `exports/${randomUUID()}.csv`;
    const url = await createUpload(key);
    const first = new Uint8Array(chunk).fill(0x61);
    const last = new TextEncoder().encode('tail\n');

    const sent = await patch(url, 0, first);
    expect(sent.status).toBe(204);
    expect(sent.headers.get('upload-offset')).toBe(String(chunk));
    // A job step that died after this PATCH runs again from its checkpoint and sends it again.
    const again = await patch(url, 0, first);
    expect(again.status).toBe(409);
    const head = await fetch(url, { method: 'HEAD', headers: tusHeaders() });
    expect(head.status).toBe(200);
    expect(head.headers.get('upload-offset')).toBe(String(chunk));

    const finished = await patch(url, chunk, last, chunk + last.length);
    expect(finished.status).toBe(204);
    const { data, error } = await adminClientDownload(key);
    expect(error).toBeNull();
    expect(data?.length).toBe(chunk + last.length);
    expect(sha(data as Uint8Array)).toBe(sha(Buffer.concat([first, last])));
  });

  it('refuses a chunk that is not 6 MB unless it is the last', async () => {
    const url = await createUpload(`exports/${randomUUID()}.csv`);
    const response = await patch(url, 0, new Uint8Array(1024));
    expect(response.status).toBe(400);
    const head = await fetch(url, { method: 'HEAD', headers: tusHeaders() });
    expect(head.headers.get('upload-offset')).toBe('0');
  });

  it('answers an unknown upload URL with 404, and a finished one too', async () => {
    const unknown = `${endpoint}/${Buffer.from(`${bucket}/nothing/${randomUUID()}`).toString('base64url')}`;
    expect((await fetch(unknown, { method: 'HEAD', headers: tusHeaders() })).status).toBe(404);
    const response = await patch(unknown, 0, new Uint8Array(chunk));
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/not found/);

    const url = await createUpload(`exports/${randomUUID()}.csv`);
    expect((await patch(url, 0, new Uint8Array(10), 10)).status).toBe(204);
    // Finished: it takes nothing more, and tells a client that sends its last chunk again that it arrived.
    expect((await patch(url, 10, new Uint8Array(10), 20)).status).toBe(400);
    expect((await patch(url, 0, new Uint8Array(10), 10)).status).toBe(409);
    const head = await fetch(url, { method: 'HEAD', headers: tusHeaders() });
    expect([head.headers.get('upload-offset'), head.headers.get('upload-length')]).toEqual(['10', '10']);
  });
});

async function adminClientDownload(key: string): Promise<{ data: Uint8Array | null; error: unknown }> {
  const response = await fetch(`${target.url}/storage/v1/object/${bucket}/${key}`, {
    headers: { authorization: `Bearer ${target.serviceKey}`, apikey: target.serviceKey },
  });
  if (!response.ok) return { data: null, error: await response.text() };
  return { data: new Uint8Array(await response.arrayBuffer()), error: null };
}
