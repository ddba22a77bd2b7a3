/**
 * How a job step writes and reads Storage objects: the operations results need, over Storage's
 * REST API with the secret key (which bypasses storage policies, so steps always write under
 * their organization's folder). Not storage-js: a result larger than a step's memory is written
 * through a resumable (TUS) upload a chunk per call, which storage-js does not offer.
 */
export interface StepStorage {
  /** Creates or overwrites `path` (so a step that runs again writes the same object again). */
  upload(
    bucket: string,
    path: string,
    body: Uint8Array | ReadableStream<Uint8Array>,
    options?: { contentType?: string },
  ): Promise<void>;
  download(bucket: string, path: string): Promise<Uint8Array>;
  remove(bucket: string, paths: string[]): Promise<void>;
  /**
   * Starts a resumable upload into `path` (overwriting it once finished) whose length is told
   * with its last chunk; the upload's URL, valid 24 hours.
   */
  createUpload(bucket: string, path: string, options?: { contentType?: string }): Promise<string>;
  /**
   * Appends `chunk` at `offset` of the upload at `url`: exactly `resumableChunk` bytes, but the
   * last, which sets the length and finishes the object. A chunk the upload has already (sent by a
   * step that died before its checkpoint) is recognised, not appended twice. The new offset.
   * Throws UploadGone when the upload expired or never was.
   */
  appendChunk(url: string, offset: number, chunk: Uint8Array, options?: { last?: boolean }): Promise<number>;
}

/** Storage's TUS chunk size: every chunk but the last is exactly this long. */
export const resumableChunk = 6 * 1024 * 1024;

/** The upload URL answered 404 or 410: it expired (after 24 hours) or is unknown. */
export class UploadGone extends Error {
  constructor(url: string, status: number) {
    super(`resumable upload ${url} is gone (${status})`);
    this.name = 'UploadGone';
  }
}

/** Storage of the project at `apiUrl` (SUPABASE_URL), with its secret key. */
export function restStorage(apiUrl: string, key: string): StepStorage {
  const url = (bucket: string, path?: string) =>
    `${apiUrl}/storage/v1/object/${bucket}${path ? `/${path.split('/').map(encodeURIComponent).join('/')}` : ''}`;
  const headers = { authorization: `Bearer ${key}`, apikey: key };
  const tus = { ...headers, 'tus-resumable': '1.0.0', 'x-upsert': 'true' };
  const check = async (response: Response, what: string) => {
    if (!response.ok) throw new Error(`storage ${what}: ${response.status} ${await response.text()}`);
    return response;
  };
  const offsetOf = (response: Response) => Number(response.headers.get('upload-offset'));
  return {
    async upload(bucket, path, body, options) {
      const init: RequestInit & { duplex?: 'half' } = {
        method: 'POST',
        headers: { ...headers, 'x-upsert': 'true', 'content-type': options?.contentType ?? 'application/octet-stream' },
        body: body as BodyInit,
      };
      if (body instanceof ReadableStream) init.duplex = 'half';
      await check(await fetch(url(bucket, path), init), `upload ${path}`);
    },
    async download(bucket, path) {
      const response = await check(await fetch(url(bucket, path), { headers }), `download ${path}`);
      return new Uint8Array(await response.arrayBuffer());
    },
    async remove(bucket, paths) {
      const response = await fetch(url(bucket), {
        method: 'DELETE',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify({ prefixes: paths }),
      });
      await check(response, 'remove');
    },
    async createUpload(bucket, path, options) {
      const fields = { bucketName: bucket, objectName: path, contentType: options?.contentType ?? '' };
      const metadata = Object.entries(fields)
        .filter(([, value]) => value)
        .map(([name, value]) => `${name} ${btoa(String.fromCharCode(...new TextEncoder().encode(value)))}`)
        .join(',');
      const response = await fetch(`${apiUrl}/storage/v1/upload/resumable`, {
        method: 'POST',
        headers: { ...tus, 'upload-defer-length': '1', 'upload-metadata': metadata },
      });
      await check(response, `create upload ${path}`);
      await response.body?.cancel();
      const location = response.headers.get('location');
      if (!location) throw new Error(`storage create upload ${path}: no Location`);
      return new URL(location, apiUrl).href;
    },
    async appendChunk(uploadUrl, offset, chunk, options) {
      const end = offset + chunk.length;
      const patch: Record<string, string> = {
        ...tus,
        'upload-offset': String(offset),
        'content-type': 'application/offset+octet-stream',
      };
      if (options?.last) patch['upload-length'] = String(end);
      // Where the upload stands: it already ends where this chunk ends when a step that died
      // after sending it runs again.
      const settled = async (failure: unknown) => {
        const head = await fetch(uploadUrl, { method: 'HEAD', headers: tus });
        if (head.status === 404 || head.status === 410) throw new UploadGone(uploadUrl, head.status);
        if (offsetOf(await check(head, 'upload offset')) === end) return end;
        throw failure;
      };
      let response: Response;
      try {
        response = await fetch(uploadUrl, { method: 'PATCH', headers: patch, body: chunk as BodyInit });
      } catch (error) {
        // A server refusing the PATCH (409, 404) may answer and close before reading the whole
        // body, and the client's write then fails (EPIPE): ask where the upload stands instead.
        return await settled(error);
      }
      if (response.status === 404 || response.status === 410) throw new UploadGone(uploadUrl, response.status);
      if (response.status !== 409) return offsetOf(await check(response, `append at ${offset}`));
      await response.body?.cancel();
      return await settled(new Error(`storage append at ${offset}: the upload has moved past it, not to ${end}`));
    },
  };
}
