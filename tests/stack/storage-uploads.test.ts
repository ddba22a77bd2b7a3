import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anonClient, signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';

/**
 * Browsers upload File/Blob objects, which supabase-js sends as multipart form data; Storage
 * keeps the bytes and enforces row-level security on storage.objects.
 */
const bucket = `uploads-${randomUUID().slice(0, 8)}`;
const policy = (what: string) => `${bucket} ${what}`;

describe('Storage uploads from supabase-js', () => {
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

  it('stores a Blob uploaded the way a browser uploads a File, and gives it back', async () => {
    const receipt = new Blob(['ICA Maxi 2026-11-20 total 412,50 SEK'], { type: 'text/plain' });
    const key = `${owner.user.id}/receipt.txt`;
    const upload = await owner.client.storage.from(bucket).upload(key, receipt);
    expect(upload.error).toBeNull();

    const download = await owner.client.storage.from(bucket).download(key);
    expect(download.error).toBeNull();
    expect(await download.data?.text()).toBe('ICA Maxi 2026-11-20 total 412,50 SEK');
    const [row] = await adminSql`select owner_id from storage.objects where bucket_id = ${bucket} and name = ${key}`;
    expect(row.owner_id).toBe(owner.user.id);
  });

  it("refuses an upload into another user's folder", async () => {
    const upload = await stranger.client.storage
      .from(bucket)
      .upload(`${owner.user.id}/planted.txt`, new Blob(['x'], { type: 'text/plain' }));
    expect(upload.error).not.toBeNull();
    const rows = await adminSql`select 1 from storage.objects where bucket_id = ${bucket} and name like '%planted%'`;
    expect(rows).toHaveLength(0);
  });

  it("does not let another user read the owner's file", async () => {
    const key = `${owner.user.id}/private.txt`;
    await owner.client.storage.from(bucket).upload(key, new Blob(['private'], { type: 'text/plain' }));
    const download = await stranger.client.storage.from(bucket).download(key);
    expect(download.data).toBeNull();
    expect(download.error).not.toBeNull();
  });

  it('replaces a file with update(), as a browser replaces a File', async () => {
    const key = `${owner.user.id}/replaced.txt`;
    const files = owner.client.storage.from(bucket);
    expect((await files.upload(key, new Blob(['first'], { type: 'text/plain' }))).error).toBeNull();

    const update = await files.update(key, new Blob(['second version'], { type: 'text/plain' }));
    expect(update.error).toBeNull();
    expect(await (await files.download(key)).data?.text()).toBe('second version');
    const [row] = await adminSql`select metadata from storage.objects where bucket_id = ${bucket} and name = ${key}`;
    expect(row.metadata).toMatchObject({ size: 14, mimetype: 'text/plain' });
  });

  it("does not let another user replace the owner's file", async () => {
    const key = `${owner.user.id}/kept.txt`;
    await owner.client.storage.from(bucket).upload(key, new Blob(['original'], { type: 'text/plain' }));
    const update = await stranger.client.storage.from(bucket).update(key, new Blob(['overwritten']));
    expect(update.error).not.toBeNull();
    expect(await (await owner.client.storage.from(bucket).download(key)).data?.text()).toBe('original');
  });

  it('stores a file uploaded to a signed upload URL by someone without a session', async () => {
    const key = `${owner.user.id}/handed-over.txt`;
    const signed = await owner.client.storage.from(bucket).createSignedUploadUrl(key);
    expect(signed.error).toBeNull();
    const token = signed.data?.token ?? '';

    const upload = await anonClient()
      .storage.from(bucket)
      .uploadToSignedUrl(key, token, new Blob(['scanned at the counter'], { type: 'text/plain' }));
    expect(upload.error).toBeNull();
    expect(upload.data?.path).toBe(key);
    const download = await owner.client.storage.from(bucket).download(key);
    expect(await download.data?.text()).toBe('scanned at the counter');
    const [row] = await adminSql`select owner_id from storage.objects where bucket_id = ${bucket} and name = ${key}`;
    expect(row.owner_id).toBe(owner.user.id);
  });

  it("refuses a signed upload URL for another user's folder", async () => {
    const signed = await stranger.client.storage
      .from(bucket)
      .createSignedUploadUrl(`${owner.user.id}/planted-later.txt`);
    expect(signed.data).toBeNull();
    expect(signed.error).not.toBeNull();
  });

  it('signs several files at once, and no file the user may not read', async () => {
    const mine = `${owner.user.id}/statement.txt`;
    await owner.client.storage.from(bucket).upload(mine, new Blob(['November'], { type: 'text/plain' }));
    const { data, error } = await owner.client.storage
      .from(bucket)
      .createSignedUrls([mine, `${stranger.user.id}/theirs.txt`], 60);
    expect(error).toBeNull();
    const [signed, refused] = data ?? [];
    expect(signed).toMatchObject({ path: mine, error: null });
    expect(await (await fetch(String(signed.signedUrl))).text()).toBe('November');
    expect(refused.signedUrl).toBeNull();
    expect(refused.error).not.toBeNull();
  });
});
