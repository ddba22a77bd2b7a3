/**
 * Reading a ZIP through its central directory (APPNOTE.TXT 4.3.12, 4.3.16), the way a restore
 * reads a backup without holding it: the end record from the file's tail, the directory from
 * the offset it names, then each entry's data from its local header on. No ZIP64 (backups are
 * written without it: docs/exports.md).
 */

export interface ZipDirectoryEntry {
  name: string;
  /** 0 stored, 8 DEFLATE. */
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  /** Where the entry's local header starts. */
  headerOffset: number;
}

export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

const endSignature = 0x06054b50;
const centralSignature = 0x02014b50;
const localSignature = 0x04034b50;
/** The end record is 22 bytes plus a comment of at most 65,535. */
export const zipTailLength = 22 + 0xffff;

/** Finds the end record in the file's last bytes (`tail`, the final `tail.length` bytes of `fileSize`). */
export function readEndRecord(tail: Uint8Array, fileSize: number): { entries: number; offset: number; size: number } {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  for (let at = tail.length - 22; at >= 0; at--) {
    if (view.getUint32(at, true) !== endSignature) continue;
    const comment = view.getUint16(at + 20, true);
    if (at + 22 + comment !== tail.length) continue;
    const entries = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 12, true);
    const offset = view.getUint32(at + 16, true);
    const endAt = fileSize - tail.length + at;
    if (offset + size > endAt) throw new ZipFormatError('the central directory lies past the end of the file');
    return { entries, offset, size };
  }
  throw new ZipFormatError('no end of central directory record: truncated, or not a ZIP');
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

/** The central directory's entries, in the order the archive lists them. */
export function readCentralDirectory(bytes: Uint8Array, count: number): ZipDirectoryEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: ZipDirectoryEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > bytes.length || view.getUint32(at, true) !== centralSignature) {
      throw new ZipFormatError(`central directory entry ${i} is damaged`);
    }
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    entries.push({
      name: utf8.decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      method: view.getUint16(at + 10, true),
      crc32: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      headerOffset: view.getUint32(at + 42, true),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** The local header's fixed part: how far past `headerOffset` the entry's data starts. */
export const localHeaderLength = 30;

export function localDataOffset(header: Uint8Array, entry: ZipDirectoryEntry): number {
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (header.length < localHeaderLength || view.getUint32(0, true) !== localSignature) {
    throw new ZipFormatError(`local header of ${entry.name} is damaged`);
  }
  return entry.headerOffset + localHeaderLength + view.getUint16(26, true) + view.getUint16(28, true);
}
