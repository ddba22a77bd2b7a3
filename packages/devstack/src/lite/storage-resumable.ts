import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { FileStore } from '@tus/file-store';
import { Server, type Upload } from '@tus/server';
import { sniffContentType } from './content-sniffing.ts';

/**
 * Storage's resumable uploads (TUS 1.0, https://supabase.com/docs/guides/storage/uploads/resumable-uploads),
 * which @supabase/lite does not serve: the same @tus/server Storage runs, on @tus/file-store.
 *
 * An upload's bytes gather in `#uploads` beside lite's objects (a folder no bucket can be named);
 * when the last chunk arrives they are handed to lite as one streamed upload with the finishing
 * request's own credentials and `x-upsert`, so lite checks the bucket's policies, size limit and
 * type, writes the `storage.objects` row and keeps the file where it keeps every object: the
 * finished object is served, signed and removed as any other. The upload itself stays until it
 * expires, as on the platform, so a client that sends its last chunk again learns (409, then HEAD)
 * that it arrived. Storage checks the caller's right to upload on every request; locally a
 * refusal comes with the last chunk.
 */

export const RESUMABLE = '/storage/v1/upload/resumable';

/** Storage's TUS chunk size: every chunk but the last is exactly this long. */
export const RESUMABLE_CHUNK = 6 * 1024 * 1024;

/** How long an upload URL lives, as on hosted Storage. */
const EXPIRES_MS = 24 * 60 * 60 * 1000;

export function isResumablePath(pathname: string): boolean {
  return pathname === RESUMABLE || pathname.startsWith(`${RESUMABLE}/`);
}

export interface ResumableUploads {
  handle(request: Request): Promise<Response>;
}

/**
 * `storageDir` is lite's object root (FilesystemStorageAdapter's); `send` hands a request to
 * lite's Storage API.
 */
export function resumableUploads(options: {
  storageDir: string;
  send: (request: Request) => Promise<Response>;
  /** Renders lite's error answer as Storage's (storage.ts). */
  storageError: (response: Response) => Promise<Response>;
}): ResumableUploads {
  const directory = path.join(options.storageDir, '#uploads');
  fs.mkdirSync(directory, { recursive: true });
  const datastore = new FileStore({ directory, expirationPeriodInMilliseconds: EXPIRES_MS });
  const server = new Server({
    path: RESUMABLE,
    datastore,
    disableTerminationForFinishedUploads: true,
    allowedHeaders: ['Authorization', 'X-Upsert', 'Upload-Expires', 'ApiKey', 'x-signature'],
    // Storage names an upload by its object and a version: the URL says what it writes.
    namingFunction: (_request, metadata) => {
      const { bucketName, objectName } = metadata ?? {};
      if (!bucketName || !objectName) throw tusError(400, 'Metadata bucketName and objectName are required');
      return Buffer.from(`${bucketName}/${objectName}/${crypto.randomUUID()}`).toString('base64url');
    },
    onIncomingRequest: async (request, id) => {
      if (request.method === 'PATCH') await checkChunkSize(request, await datastore.getUpload(id));
    },

    onUploadFinish: async (request, upload) => {
      await handToLite(request, upload);
      return { headers: { 'Tus-Complete': '1' } };
    },
  });

  /**
   * Storage (on S3) takes chunks of exactly 6 MB but the last: a client that sends others works
   * locally only by chance, so the local stack refuses them too.
   */
  async function checkChunkSize(request: Request, upload: Upload) {
    // At another offset the upload refuses it (409) as it is.
    if (Number(request.headers.get('upload-offset')) !== upload.offset) return;
    const length = Number(request.headers.get('content-length') ?? Number.NaN);
    if (length === RESUMABLE_CHUNK) return;
    const declared = request.headers.get('upload-length');
    const total = upload.size ?? (declared === null ? undefined : Number(declared));
    if (total !== undefined && upload.offset + length === total) return;
    throw tusError(400, `Each chunk but the last must be ${RESUMABLE_CHUNK} bytes (Content-Length)`);
  }

  async function handToLite(request: Request, upload: Upload) {
    const [bucket, ...rest] = Buffer.from(upload.id, 'base64url').toString('utf8').split('/');
    const object = rest.slice(0, -1).join('/');
    const file = path.join(directory, upload.id);
    const { size } = await fs.promises.stat(file);
    const head = await readHead(file);
    const metadata = upload.metadata ?? {};
    const headers = new Headers({
      'content-type': await sniffContentType(head, metadata.contentType ?? null),
      'content-length': String(size),
      'cache-control': /^\d+$/.test(metadata.cacheControl ?? '') ? `max-age=${metadata.cacheControl}` : 'no-cache',
      'x-upsert': request.headers.get('x-upsert') === 'true' ? 'true' : 'false',
    });
    for (const name of ['authorization', 'apikey']) {
      const value = request.headers.get(name);
      if (value) headers.set(name, value);
    }
    const url = new URL(request.url);
    const target = `${url.origin}/storage/v1/object/${bucket}/${object.split('/').map(encodeURIComponent).join('/')}`;
    const body = Readable.toWeb(fs.createReadStream(file)) as ReadableStream<Uint8Array>;
    const init: RequestInit & { duplex: 'half' } = { method: 'POST', headers, body, duplex: 'half' };
    const response = await options.send(new Request(target, init));
    if (!response.ok) {
      const refusal = await options.storageError(response);
      throw tusError(refusal.status, await refusal.text());
    }
  }

  // What expired while the stack was down goes now; an upload expiring later is answered 410.
  void server.cleanUpExpiredUploads().catch(() => 0);
  return {
    handle: async (request) => {
      const response = await server.handleWeb(request);
      await drain(request);
      return response;
    },
  };
}

/**
 * Reads what is left of a request's body. A chunk refused before it was read (409 at another
 * offset, 404) would otherwise have its connection closed under the client, still sending, which
 * then sees EPIPE instead of the answer.
 */
async function drain(request: Request) {
  if (!request.body || request.bodyUsed) return;
  const reader = request.body.getReader();
  try {
    while (!(await reader.read()).done);
  } catch {
    // The client went away: nothing to answer.
  }
}

function tusError(status_code: number, body: string) {
  return { status_code, body };
}

async function readHead(file: string): Promise<Uint8Array> {
  const handle = await fs.promises.open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
