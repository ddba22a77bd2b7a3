import { createCRC32, createSHA256, type IHasher } from 'hash-wasm';
import { constants, Deflate } from 'pako';

/**
 * A ZIP archive written front to back in steps. Each entry's data is compressed a piece at a
 * time into "parts", each a raw DEFLATE run ended by a sync flush, so the parts one after the
 * other are one valid DEFLATE stream (RFC 1951: a sync flush ends on a byte boundary with
 * non-final blocks). An entry written over several steps starts with a local header without
 * sizes and ends with a data descriptor (APPNOTE 4.3.9); its CRC-32, SHA-256 and sizes are carried
 * in a JSON-able state between steps. The central directory comes last. So the archive can be
 * uploaded as it is written, and nothing holds it whole in memory.
 *
 * Limits: 4 GiB per entry (checked); past 65,535 entries or 4 GiB in all the end records are
 * ZIP64's.
 */

export type ZipMethod = 0 | 8;

/** An entry being written: JSON, so it is part of a job's checkpoint. */
export interface ZipEntry {
  name: string;
  /** 8 DEFLATE, 0 stored (for files that are compressed already). */
  method: ZipMethod;
  /** ISO instant, becomes the entry's DOS time (UTC). */
  modified: string;
  size: number;
  compressedSize: number;
  /** The parts written so far; part i of entry e is stored by the caller under a name of its own. */
  parts: number;
  /** hash-wasm's saved CRC-32 and SHA-256 states (base64) until the entry is finished. */
  crcState: string;
  shaState: string;
  /** Set once finished. */
  crc32?: number;
  sha256?: string;
  /** Where its local header starts in the archive. */
  offset?: number;
  /** Written as it goes: its local header has no sizes, a data descriptor follows its data. */
  described?: boolean;
}

const maxZip32 = 0xffffffff;

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

async function hashers(entry: ZipEntry): Promise<{ crc: IHasher; sha: IHasher }> {
  const crc = await createCRC32();
  const sha = await createSHA256();
  crc.load(fromBase64(entry.crcState));
  sha.load(fromBase64(entry.shaState));
  return { crc, sha };
}

export async function startEntry(name: string, method: ZipMethod = 8, modified = new Date()): Promise<ZipEntry> {
  const crc = await createCRC32();
  const sha = await createSHA256();
  crc.init();
  sha.init();
  return {
    name,
    method,
    modified: modified.toISOString(),
    size: 0,
    compressedSize: 0,
    parts: 0,
    crcState: toBase64(crc.save()),
    shaState: toBase64(sha.save()),
  };
}

/**
 * DEFLATE `data` as a part ending in a sync flush; any number of them concatenate. pako (zlib's
 * port) rather than fflate: fflate 0.8.3's `flush(true)` wrote streams that do not inflate for
 * inputs over a few hundred bytes (found by the Excel test).
 */
export function deflatePart(data: Uint8Array, level: 1 | 6 = 6): Uint8Array {
  const chunks: Uint8Array[] = [];
  const deflate = new Deflate({ level, raw: true });
  deflate.onData = (chunk: Uint8Array) => chunks.push(chunk);
  deflate.push(data, constants.Z_SYNC_FLUSH);
  if (deflate.err) throw new Error(`deflate: ${deflate.msg}`);
  return concat(chunks);
}

/** The last block of a DEFLATE stream: an empty final fixed-Huffman block. */
const finalBlock = new Uint8Array([0x03, 0x00]);

/**
 * Adds `data` to an entry: the part to store (as part number `entry.parts` before the call) and
 * the entry's next state. Pure: the same state and data give the same part, so a step that runs
 * again overwrites the same part with the same bytes.
 */
export async function appendToEntry(
  entry: ZipEntry,
  data: Uint8Array,
  level: 1 | 6 = 6,
): Promise<{ entry: ZipEntry; part: Uint8Array }> {
  if (entry.crc32 !== undefined) throw new Error(`zip entry ${entry.name} is finished`);
  const { crc, sha } = await hashers(entry);
  crc.update(data);
  sha.update(data);
  const part = entry.method === 8 ? deflatePart(data, level) : data;
  const next: ZipEntry = {
    ...entry,
    size: entry.size + data.length,
    compressedSize: entry.compressedSize + part.length,
    parts: entry.parts + 1,
    crcState: toBase64(crc.save()),
    shaState: toBase64(sha.save()),
  };
  if (next.size > maxZip32 || next.compressedSize > maxZip32)
    throw new RangeError(`zip entry ${entry.name} over 4 GiB`);
  return { entry: next, part };
}

/** Ends an entry; a DEFLATE entry gets one more (two-byte) part, the final block. */
export async function finishEntry(entry: ZipEntry): Promise<{ entry: ZipEntry; part: Uint8Array | null }> {
  const { crc, sha } = await hashers(entry);
  const crc32 = Number.parseInt(crc.digest('hex'), 16);
  const sha256 = sha.digest('hex');
  const part = entry.method === 8 ? finalBlock : null;
  return {
    entry: {
      ...entry,
      parts: entry.parts + (part ? 1 : 0),
      compressedSize: entry.compressedSize + (part?.length ?? 0),
      crc32,
      sha256,
    },
    part,
  };
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function dosTime(iso: string): { time: number; date: number } {
  const d = new Date(iso);
  const year = Math.max(1980, d.getUTCFullYear());
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}

const utf8 = new TextEncoder();
/** General purpose flag bit 11: the name is UTF-8. */
const utf8Flag = 0x0800;
/** Bit 3: CRC-32 and sizes follow the data in a data descriptor (an entry written as it goes). */
const describedFlag = 0x0008;

function flags(entry: ZipEntry): number {
  return utf8Flag | (entry.described ? describedFlag : 0);
}

/**
 * An entry's local header, written where `entry.offset` says. An entry still being written
 * (`described`) has zeros for its CRC-32 and sizes, which its data descriptor (entryTail) gives.
 */
export function entryHead(entry: ZipEntry): Uint8Array {
  const name = utf8.encode(entry.name);
  const out = new Uint8Array(30 + name.length);
  const v = new DataView(out.buffer);
  const { time, date } = dosTime(entry.modified);
  v.setUint32(0, 0x04034b50, true);
  v.setUint16(4, 20, true);
  v.setUint16(6, flags(entry), true);
  v.setUint16(8, entry.method, true);
  v.setUint16(10, time, true);
  v.setUint16(12, date, true);
  if (!entry.described) {
    v.setUint32(14, entry.crc32 ?? 0, true);
    v.setUint32(18, entry.compressedSize, true);
    v.setUint32(22, entry.size, true);
  }
  v.setUint16(26, name.length, true);
  out.set(name, 30);
  return out;
}

/** The data descriptor after a `described` entry's data, once it is finished; nothing for others. */
export function entryTail(entry: ZipEntry): Uint8Array {
  if (!entry.described) return new Uint8Array(0);
  if (entry.crc32 === undefined) throw new Error(`zip entry ${entry.name} is not finished`);
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x08074b50, true);
  v.setUint32(4, entry.crc32, true);
  v.setUint32(8, entry.compressedSize, true);
  v.setUint32(12, entry.size, true);
  return out;
}

/** Past 4 GiB an entry's local header offset goes into a ZIP64 extra field (APPNOTE 4.5.3). */
function centralHeader(entry: ZipEntry): Uint8Array {
  const name = utf8.encode(entry.name);
  const offset = entry.offset ?? 0;
  const zip64 = offset >= maxZip32;
  const extra = zip64 ? 12 : 0;
  const out = new Uint8Array(46 + name.length + extra);
  const v = new DataView(out.buffer);
  const { time, date } = dosTime(entry.modified);
  const version = zip64 ? 45 : 20;
  v.setUint32(0, 0x02014b50, true);
  v.setUint16(4, version, true);
  v.setUint16(6, version, true);
  v.setUint16(8, flags(entry), true);
  v.setUint16(10, entry.method, true);
  v.setUint16(12, time, true);
  v.setUint16(14, date, true);
  v.setUint32(16, entry.crc32 ?? 0, true);
  v.setUint32(20, entry.compressedSize, true);
  v.setUint32(24, entry.size, true);
  v.setUint16(28, name.length, true);
  v.setUint16(30, extra, true);
  v.setUint32(42, zip64 ? maxZip32 : offset, true);
  out.set(name, 46);
  if (zip64) {
    const at = 46 + name.length;
    v.setUint16(at, 0x0001, true);
    v.setUint16(at + 2, 8, true);
    v.setBigUint64(at + 4, BigInt(offset), true);
  }
  return out;
}

/**
 * The archive's end: the central directory of the finished `entries` (each with its `offset`)
 * starting at byte `at`, and the end record; past 65,535 entries or 4 GiB also the ZIP64 end
 * record and its locator (APPNOTE 4.3.14, 4.3.15), which readers (fflate, unzip, 7-Zip, Windows)
 * look for.
 */
export function centralDirectory(entries: readonly ZipEntry[], at: number): Uint8Array {
  const central = concat(
    entries.map((e) => {
      if (e.crc32 === undefined || e.offset === undefined) throw new Error(`zip entry ${e.name} is not finished`);
      return centralHeader(e);
    }),
  );
  const zip64 = entries.length >= 0xffff || at >= maxZip32 || central.length >= maxZip32;
  const records: Uint8Array[] = [central];
  if (zip64) {
    const end64 = new Uint8Array(56 + 20);
    const v = new DataView(end64.buffer);
    v.setUint32(0, 0x06064b50, true);
    v.setBigUint64(4, 44n, true);
    v.setUint16(12, 45, true);
    v.setUint16(14, 45, true);
    v.setBigUint64(24, BigInt(entries.length), true);
    v.setBigUint64(32, BigInt(entries.length), true);
    v.setBigUint64(40, BigInt(central.length), true);
    v.setBigUint64(48, BigInt(at), true);
    // The locator: where the ZIP64 end record starts.
    v.setUint32(56, 0x07064b50, true);
    v.setBigUint64(64, BigInt(at + central.length), true);
    v.setUint32(72, 1, true);
    records.push(end64);
  }
  const end = new Uint8Array(22);
  const v = new DataView(end.buffer);
  v.setUint32(0, 0x06054b50, true);
  v.setUint16(8, Math.min(entries.length, 0xffff), true);
  v.setUint16(10, Math.min(entries.length, 0xffff), true);
  v.setUint32(12, Math.min(central.length, maxZip32), true);
  v.setUint32(16, Math.min(at, maxZip32), true);
  records.push(end);
  return concat(records);
}
