import { localDataOffset, localHeaderLength, type ZipDirectoryEntry } from '@westwallet/shared/restore';
import { Inflate } from 'pako';

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

/**
 * An entry's uncompressed bytes, a chunk at a time: compressed ranges read one after another and
 * inflated as a stream. Throws on data that does not inflate (a damaged archive).
 */
export async function* entryChunks(source: BackupSource, entry: ZipDirectoryEntry): AsyncGenerator<Uint8Array> {
  if (entry.method !== 0 && entry.method !== 8) throw new EntryDamaged(`${entry.name}: compression ${entry.method}`);
  const header = await source.read(entry.headerOffset, entry.headerOffset + localHeaderLength - 1);
  const start = localDataOffset(header, entry);
  const end = start + entry.compressedSize;
  const chunks: Uint8Array[] = [];
  const inflate = entry.method === 8 ? new Inflate({ raw: true }) : null;
  if (inflate) inflate.onData = (chunk: Uint8Array) => chunks.push(chunk);
  for (let at = start; at < end; at += readBytes) {
    const last = Math.min(at + readBytes, end);
    const data = last > at ? await source.read(at, last - 1) : new Uint8Array();
    if (!inflate) {
      yield data;
      continue;
    }
    inflate.push(data, last === end);
    if (inflate.err) throw new EntryDamaged(`${entry.name}: ${inflate.msg}`);
    yield* chunks.splice(0);
  }
  if (inflate && !inflate.ended && entry.compressedSize > 0) throw new EntryDamaged(`${entry.name}: data ends early`);
}

export class EntryDamaged extends Error {
  override name = 'EntryDamaged';
}
