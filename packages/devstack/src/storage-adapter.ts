import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Object bytes on local disk for @supabase/lite's Storage API, which keeps the metadata (and
 * enforces RLS) in `storage.objects`. lite's own filesystem adapter is not exported, so this
 * implements its small StorageAdapter interface.
 */
export class FilesystemStorageAdapter {
  readonly driver = 'filesystem';
  readonly #root: string;

  constructor(root: string) {
    this.#root = path.resolve(root);
  }

  async getObject(bucket: string, key: string, _version: string | undefined, headers?: { range?: string }) {
    const file = this.#path(bucket, key);
    const stat = await fs.stat(file);
    const metadata = this.#metadata(stat, key);
    const range = headers?.range ? /^bytes=(\d+)-(\d*)$/.exec(headers.range) : null;
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), stat.size - 1) : stat.size - 1;
      const body = await readSlice(file, start, end);
      return {
        httpStatusCode: 206,
        metadata: { ...metadata, contentLength: body.length, contentRange: `bytes ${start}-${end}/${stat.size}` },
        body,
      };
    }
    return { httpStatusCode: 200, metadata, body: await fs.readFile(file) };
  }

  async uploadObject(
    bucket: string,
    key: string,
    _version: string | undefined,
    body: ReadableStream<Uint8Array> | Uint8Array,
    contentType: string,
    cacheControl: string,
  ) {
    const file = this.#path(bucket, key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const bytes = body instanceof Uint8Array ? body : new Uint8Array(await new Response(body).arrayBuffer());
    await fs.writeFile(file, bytes);
    const stat = await fs.stat(file);
    return {
      cacheControl,
      contentLength: stat.size,
      size: stat.size,
      mimetype: contentType,
      lastModified: stat.mtime,
      eTag: `"${createHash('md5').update(bytes).digest('hex')}"`,
    };
  }

  async deleteObject(bucket: string, key: string) {
    await fs.rm(this.#path(bucket, key), { force: true });
  }

  async deleteObjects(bucket: string, keys: string[]) {
    await Promise.all(keys.map((key) => this.deleteObject(bucket, key)));
  }

  async copyObject(sourceBucket: string, source: string, _v: unknown, targetBucket: string, target: string) {
    const to = this.#path(targetBucket, target);
    await fs.mkdir(path.dirname(to), { recursive: true });
    await fs.copyFile(this.#path(sourceBucket, source), to);
    const stat = await fs.stat(to);
    return { httpStatusCode: 200, eTag: etagOf(to, stat.mtimeMs), lastModified: stat.mtime };
  }

  async headObject(bucket: string, key: string) {
    return this.#metadata(await fs.stat(this.#path(bucket, key)), key);
  }

  async privateAssetUrl(bucket: string, key: string) {
    return `file://${this.#path(bucket, key)}`;
  }

  /** Keys come from URLs: refuse any that would leave the bucket's folder. */
  #path(bucket: string, key: string): string {
    const file = path.resolve(this.#root, bucket, key);
    if (!file.startsWith(path.join(this.#root, bucket) + path.sep)) throw new Error(`invalid object key: ${key}`);
    return file;
  }

  #metadata(stat: { size: number; mtime: Date; mtimeMs: number }, key: string) {
    return {
      cacheControl: 'no-cache',
      contentLength: stat.size,
      size: stat.size,
      mimetype: mimeType(key),
      lastModified: stat.mtime,
      eTag: etagOf(key, stat.mtimeMs),
    };
  }
}

function etagOf(key: string, mtimeMs: number): string {
  return `"${createHash('md5').update(`${key}:${mtimeMs}`).digest('hex')}"`;
}

async function readSlice(file: string, start: number, end: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.max(0, end - start + 1));
    await handle.read(buffer, 0, buffer.length, start);
    return buffer;
  } finally {
    await handle.close();
  }
}

const MIME_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.heic': 'image/heic',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain',
  '.csv': 'text/csv',
  '.json': 'application/json',
  '.xml': 'application/xml',
  '.zip': 'application/zip',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

function mimeType(key: string): string {
  return MIME_TYPES[path.extname(key).toLowerCase()] ?? 'application/octet-stream';
}
