import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { personalOrg } from '../helpers/organizations.ts';
import { target } from '../helpers/target.ts';

/**
 * A stored file's type comes from its bytes, not from what the uploader declared: a bucket's
 * allowed types cannot be passed by naming a page `image/png`, and downloads are served so that a
 * browser never runs a stored file as a page of ours.
 */

/** A 1x1 PNG. */
const png = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000100e5270de40000000049454e44ae426082',
  'hex',
);
const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>';
const html = '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>';
const csv = 'date,amount\n2026-11-20,412.50\n';

/** A bucket without type limits, readable by the uploader. */
const bucket = `types-${randomUUID().slice(0, 8)}`;
const policy = (what: string) => `${bucket} ${what}`;

let user: TestUser;
let orgId: string;

const storedType = async (bucketId: string, name: string) =>
  (
    await adminSql`select metadata ->> 'mimetype' as type from storage.objects where bucket_id = ${bucketId} and name = ${name}`
  )[0]?.type;

/** Uploads as a browser uploads a File; answers the object's path. */
async function upload(bucketId: string, name: string, body: BlobPart, declared: string): Promise<string> {
  const { error } = await user.client.storage.from(bucketId).upload(name, new Blob([body], { type: declared }));
  if (error) throw new Error(`upload of ${name} failed: ${error.message}`);
  return name;
}

/** What a browser gets when it opens the file's signed URL. */
async function served(bucketId: string, name: string): Promise<Response> {
  const { data, error } = await user.client.storage.from(bucketId).createSignedUrl(name, 60);
  if (error) throw error;
  return fetch(data.signedUrl);
}

beforeAll(async () => {
  user = await signUpUser('file-types');
  orgId = await personalOrg(user);
  await adminSql`insert into storage.buckets (id, name, public) values (${bucket}, ${bucket}, false)`;
  const mine = `bucket_id = '${bucket}' and (storage.foldername(name))[1] = (select auth.uid())::text`;
  await adminSql.unsafe(`
    create policy "${policy('owners upload')}" on storage.objects for insert to authenticated with check (${mine});
    create policy "${policy('owners read')}" on storage.objects for select to authenticated using (${mine});
  `);
});

afterAll(async () => {
  await adminSql.unsafe(`
    drop policy if exists "${policy('owners upload')}" on storage.objects;
    drop policy if exists "${policy('owners read')}" on storage.objects;
  `);
  await adminSql`delete from storage.objects where bucket_id = ${bucket}`;
  await adminSql`delete from storage.buckets where id = ${bucket}`;
});

describe('a bucket with allowed types (attachments)', () => {
  it.each([
    { what: 'an SVG', body: svg, declared: 'image/png', sniffed: 'image/svg+xml' },
    { what: 'an HTML page', body: html, declared: 'image/png', sniffed: 'text/html' },
    { what: 'an HTML page', body: html, declared: 'text/plain', sniffed: 'text/html' },
  ])('refuses $what declared as $declared, by the type of its bytes', async ({ body, declared, sniffed }) => {
    const name = `${orgId}/${randomUUID()}/receipt.png`;
    const { error } = await user.client.storage.from('attachments').upload(name, new Blob([body], { type: declared }));
    expect(error).toMatchObject({ status: 400, statusCode: '415', code: 'InvalidMimeType' });
    expect(error?.message).toContain(sniffed);
    expect(await storedType('attachments', name)).toBeUndefined();
  });

  it('stores an image declared as something else with the type of its bytes', async () => {
    const name = await upload('attachments', `${orgId}/${randomUUID()}/scan`, png, 'application/octet-stream');
    expect(await storedType('attachments', name)).toBe('image/png');
  });

  it('keeps a declared plain-text type (csv) for text without a signature', async () => {
    const name = await upload('attachments', `${orgId}/${randomUUID()}/bank.csv`, csv, 'text/csv');
    expect(await storedType('attachments', name)).toBe('text/csv');
  });
});

describe('serving a stored file', () => {
  it('serves an SVG declared as image/png as SVG, to be saved, never sniffed', async () => {
    const name = await upload(bucket, `${user.user.id}/logo.png`, svg, 'image/png');
    expect(await storedType(bucket, name)).toBe('image/svg+xml');

    const response = await served(bucket, name);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/svg+xml');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment/);
  });

  it('serves a PNG inline, never sniffed', async () => {
    const name = await upload(bucket, `${user.user.id}/photo.png`, png, 'image/png');
    const response = await served(bucket, name);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toBeNull();
    expect(Buffer.from(await response.arrayBuffer()).equals(png)).toBe(true);
  });

  it('serves text to be saved, under its name or the one asked for', async () => {
    const name = await upload(bucket, `${user.user.id}/bank.csv`, csv, 'text/csv');
    const response = await served(bucket, name);
    expect(response.headers.get('content-type')).toBe('text/csv');
    expect(response.headers.get('content-disposition')).toBe("attachment; filename*=UTF-8''bank.csv");

    const { data } = await user.client.storage.from(bucket).createSignedUrl(name, 60, { download: 'Bank 2026.csv' });
    const asked = await fetch(data?.signedUrl ?? '');
    expect(asked.headers.get('content-disposition')).toBe(
      "attachment; filename=Bank%202026.csv; filename*=UTF-8''Bank%202026.csv",
    );
  });

  it('serves the same headers to a signed-in download', async () => {
    const name = await upload(bucket, `${user.user.id}/page.html`, html, 'text/html');
    const { data } = await user.client.auth.getSession();
    const response = await fetch(`${target.url}/storage/v1/object/${bucket}/${name}`, {
      headers: { apikey: target.anonKey, authorization: `Bearer ${data.session?.access_token}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment/);
  });
});
