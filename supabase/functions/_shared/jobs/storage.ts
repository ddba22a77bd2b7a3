/**
 * How a job step writes and reads Storage objects: the four operations results need, over
 * Storage's REST API with the secret key (which bypasses storage policies, so steps always write
 * under their organization's folder). Not storage-js: an upload here may be a stream, so a step
 * can assemble a file larger than its memory from parts.
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
}

/** Storage of the project at `apiUrl` (SUPABASE_URL), with its secret key. */
export function restStorage(apiUrl: string, key: string): StepStorage {
  const url = (bucket: string, path?: string) =>
    `${apiUrl}/storage/v1/object/${bucket}${path ? `/${path.split('/').map(encodeURIComponent).join('/')}` : ''}`;
  const headers = { authorization: `Bearer ${key}`, apikey: key };
  const check = async (response: Response, what: string) => {
    if (!response.ok) throw new Error(`storage ${what}: ${response.status} ${await response.text()}`);
    return response;
  };
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
  };
}
