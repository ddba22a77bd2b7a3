import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { sniffContentType } from './content-sniffing.ts';

/** What an object was stored with that its bytes do not tell. */
interface StoredHeaders {
  contentType: string;
  cacheControl: string;
}

const METADATA_FOLDER = '#metadata';

/**
 * Object bytes on local disk for @supabase/lite's Storage API, which keeps the metadata (and
 * enforces RLS) in `storage.objects`. lite's own filesystem adapter is not exported, so this
 * implements its small StorageAdapter interface.
 *
 * lite serves a download with the type and Cache-Control this adapter reports, so each object
 * keeps those it was stored with (the type the gateway sniffed from its bytes) in a parallel
 * tree under `#metadata`, a name no bucket can have. Files stored before have none and are
 * typed from their bytes again.
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
    const metadata = await this.#metadata(bucket, key, stat);
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
    // Streamed to disk: a finished resumable upload (storage-resumable.ts) may be gigabytes.
    const md5 = createHash('md5');
    const source = body instanceof Uint8Array ? Readable.from([body]) : Readable.fromWeb(body as WebReadableStream);
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        md5.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(source, hashing, createWriteStream(file));
    await this.#writeHeaders(bucket, key, { contentType, cacheControl });
    const stat = await fs.stat(file);
    return {
      cacheControl,
      contentLength: stat.size,
      size: stat.size,
      mimetype: contentType,
      lastModified: stat.mtime,
      eTag: `"${md5.digest('hex')}"`,
    };
  }

  async deleteObject(bucket: string, key: string) {
    await fs.rm(this.#path(bucket, key), { force: true });
    await fs.rm(this.#headersPath(bucket, key), { force: true });
  }

  async deleteObjects(bucket: string, keys: string[]) {
    await Promise.all(keys.map((key) => this.deleteObject(bucket, key)));
  }

  async copyObject(sourceBucket: string, source: string, _v: unknown, targetBucket: string, target: string) {
    const to = this.#path(targetBucket, target);
    await fs.mkdir(path.dirname(to), { recursive: true });
    await fs.copyFile(this.#path(sourceBucket, source), to);
    await this.#writeHeaders(targetBucket, target, await this.#readHeaders(sourceBucket, source));
    const stat = await fs.stat(to);
    return { httpStatusCode: 200, eTag: etagOf(to, stat.mtimeMs), lastModified: stat.mtime };
  }

  async headObject(bucket: string, key: string) {
    return this.#metadata(bucket, key, await fs.stat(this.#path(bucket, key)));
  }

  async privateAssetUrl(bucket: string, key: string) {
    return `file://${this.#path(bucket, key)}`;
  }

  /** Keys come from URLs: refuse any that would leave the bucket's folder. */
  #path(bucket: string, key: string, root = this.#root): string {
    const file = path.resolve(root, bucket, key);
    if (!file.startsWith(path.join(root, bucket) + path.sep)) throw new Error(`invalid object key: ${key}`);
    return file;
  }

  #headersPath(bucket: string, key: string): string {
    return this.#path(bucket, key, path.join(this.#root, METADATA_FOLDER));
  }

  async #writeHeaders(bucket: string, key: string, headers: StoredHeaders) {
    const file = this.#headersPath(bucket, key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, JSON.stringify(headers));
  }

  async #readHeaders(bucket: string, key: string): Promise<StoredHeaders> {
    try {
      return JSON.parse(await fs.readFile(this.#headersPath(bucket, key), 'utf8')) as StoredHeaders;
    } catch {
      const head = await readSlice(this.#path(bucket, key), 0, 64 * 1024 - 1);
      return { contentType: await sniffContentType(head, null), cacheControl: 'no-cache' };
    }
  }

  async #metadata(bucket: string, key: string, stat: { size: number; mtime: Date; mtimeMs: number }) {
    const { contentType, cacheControl } = await this.#readHeaders(bucket, key);
    return {
      cacheControl,
      contentLength: stat.size,
      size: stat.size,
      mimetype: contentType,
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
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
