import { localDataOffset, localHeaderLength, type ZipDirectoryEntry } from '@westwallet/shared/restore';
import { constants, Inflate } from 'pako';

/**
 * The backup being restored, read in byte ranges (HTTP Range requests to Storage with the secret
 * key, which hosted Storage and the local stack both serve): a step holds one range at a time,
 * never the whole file.
 */
export interface BackupSource {
  /** The object's size in bytes; null when there is no such object. */
  size(): Promise<number | null>;
  /** Bytes `start` to `end` inclusive. */
  read(start: number, end: number): Promise<Uint8Array>;
}

export const restoresBucket = 'restores';

export function storageSource(path: string): BackupSource {
  const apiUrl = Deno.env.get('SUPABASE_URL');
  const key = Deno.env.get('SUPABASE_SECRET_KEY') ?? Deno.env.get('SUPABASE_SERVICE_ROLE_KEY');
  if (!apiUrl || !key) throw new Error('SUPABASE_URL and the secret key must be set');
  const url = `${apiUrl}/storage/v1/object/${restoresBucket}/${path.split('/').map(encodeURIComponent).join('/')}`;
  const headers = { authorization: `Bearer ${key}`, apikey: key };
  const get = (start: number, end: number) => fetch(url, { headers: { ...headers, range: `bytes=${start}-${end}` } });
  return {
    async size() {
      const response = await get(0, 0);
      await response.body?.cancel();
      if (response.status === 404 || response.status === 400) return null;
      if (response.status === 200) return Number(response.headers.get('content-length'));
      if (response.status !== 206) throw new Error(`storage range read: ${response.status}`);
      const total = /\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
      if (!total) throw new Error('storage range read: no Content-Range');
      return Number(total[1]);
    },
    async read(start, end) {
      const response = await get(start, end);
      if (response.status === 206) return new Uint8Array(await response.arrayBuffer());
      if (response.status !== 200) {
        await response.body?.cancel();
        throw new Error(`storage range read ${start}-${end}: ${response.status}`);
      }
      return await sliceOf(response.body as ReadableStream<Uint8Array>, start, end);
    },
  };
}

/**
 * Bytes `start` to `end` of a whole object's body, for a server that ignores Range (the local
 * stack's Storage answers 200 with everything): the body streams past, only the slice is kept.
 */
async function sliceOf(body: ReadableStream<Uint8Array>, start: number, end: number): Promise<Uint8Array> {
  const out = new Uint8Array(end - start + 1);
  let at = 0;
  let filled = 0;
  const reader = body.getReader();
  try {
    while (filled < out.length) {
      const { done, value } = await reader.read();
      if (done) break;
      const from = Math.max(start - at, 0);
      const to = Math.min(end + 1 - at, value.length);
      if (to > from) {
        out.set(value.subarray(from, to), filled);
        filled += to - from;
      }
      at += value.length;
    }
  } finally {
    await reader.cancel();
  }
  return out.subarray(0, filled);
}

/** How much compressed data one read takes. */
const readBytes = 1 << 20;
/** DEFLATE refers back at most 32 KiB: what a resumed inflater needs of the output before it. */
const windowBytes = 32 << 10;

/**
 * A point an entry can be inflated again from: a DEFLATE block boundary that falls on a byte
 * (`input`, from the entry's data start) with the output so far (`output` bytes) and its last
 * 32 KiB (base64), which a new raw inflater takes as its dictionary (zlib's zran.c does the same,
 * with bit offsets pako cannot set). About one block end in eight falls on a byte, so there is
 * one every few hundred KB of output.
 */
export interface ResumePoint {
  input: number;
  output: number;
  window: string;
}

export interface EntryChunk {
  bytes: Uint8Array;
  /** Set when the entry can be resumed right after these bytes. */
  resume: ResumePoint | null;
}

/** zlib's stream fields pako keeps on its Inflate (not in its typings). */
interface InflateStream {
  total_in: number;
  /** Bits left in the last byte read, +64 after the final block, +128 at a block boundary. */
  data_type: number;
}

/** Bytes in a JSON checkpoint (the window here, the SHA-256 state in kind.ts). */
export function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

/**
 * An entry's uncompressed bytes, a chunk at a time, from its start or from a resume point:
 * compressed ranges read one after another and inflated as a stream, stopping at each block
 * boundary (Z_BLOCK) to see whether it is one to resume from. Throws on data that does not
 * inflate (a damaged archive).
 */
export async function* entryChunks(
  source: BackupSource,
  entry: ZipDirectoryEntry,
  from: ResumePoint | null = null,
): AsyncGenerator<EntryChunk> {
  if (entry.method !== 0 && entry.method !== 8) throw new EntryDamaged(`${entry.name}: compression ${entry.method}`);
  const header = await source.read(entry.headerOffset, entry.headerOffset + localHeaderLength - 1);
  const dataStart = localDataOffset(header, entry);
  const end = dataStart + entry.compressedSize;
  const chunks: EntryChunk[] = [];
  let window: Uint8Array = from ? fromBase64(from.window) : new Uint8Array();
  let output = from?.output ?? 0;
  const inflate = entry.method === 8
    ? new Inflate({ raw: true, ...(window.length > 0 ? { dictionary: window } : {}) })
    : null;
  const stream = inflate as unknown as { strm: InflateStream } | null;
  if (inflate && stream) {
    inflate.onData = (chunk: Uint8Array) => {
      const bytes = chunk.slice();
      output += bytes.length;
      window = windowAfter(window, bytes);
      const { data_type: state, total_in } = stream.strm;
      const boundary = (state & (128 | 64 | 63)) === 128;
      chunks.push({
        bytes,
        resume: boundary ? { input: (from?.input ?? 0) + total_in, output, window: toBase64(window) } : null,
      });
    };
  }
  for (let at = dataStart + (from?.input ?? 0); at < end; at += readBytes) {
    const last = Math.min(at + readBytes, end);
    const data = last > at ? await source.read(at, last - 1) : new Uint8Array();
    if (!inflate) {
      output += data.length;
      yield { bytes: data, resume: { input: output, output, window: '' } };
      continue;
    }
    inflate.push(data, last === end ? true : constants.Z_BLOCK);
    if (inflate.err) throw new EntryDamaged(`${entry.name}: ${inflate.msg}`);
    yield* chunks.splice(0);
  }
  if (inflate && !inflate.ended && entry.compressedSize > 0) throw new EntryDamaged(`${entry.name}: data ends early`);
}

function windowAfter(window: Uint8Array, bytes: Uint8Array): Uint8Array {
  if (bytes.length >= windowBytes) return bytes.slice(bytes.length - windowBytes);
  const keep = Math.min(window.length, windowBytes - bytes.length);
  const out = new Uint8Array(keep + bytes.length);
  out.set(window.subarray(window.length - keep));
  out.set(bytes, keep);
  return out;
}

export class EntryDamaged extends Error {
  override name = 'EntryDamaged';
}
