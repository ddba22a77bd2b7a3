import { crc32 } from 'node:zlib';
import { centralDirectory, entryHead, type ZipEntry } from '@westwallet/shared/exports';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';

/**
 * A backup of an organization with tens of thousands of receipts has more entries than a plain
 * ZIP counts (65,535): its end records are then ZIP64's, which readers follow. The entries are
 * stored whole as the backup stores attachments (their CRC-32 from node:zlib, to keep the test
 * quick).
 */
describe('a ZIP past 65,535 entries', () => {
  it('ends in ZIP64 records that a reader follows to every entry', () => {
    const count = 65_537;
    const chunks: Uint8Array[] = [];
    const entries: ZipEntry[] = [];
    let length = 0;
    for (let i = 0; i < count; i++) {
      const data = new TextEncoder().encode(String(i));
      const entry: ZipEntry = {
        name: `attachments/${i}.txt`,
        method: 0,
        modified: '2026-12-01T12:00:00Z',
        size: data.length,
        compressedSize: data.length,
        parts: 1,
        crcState: '',
        shaState: '',
        crc32: crc32(data),
        offset: length,
      };
      for (const bytes of [entryHead(entry), data]) {
        chunks.push(bytes);
        length += bytes.length;
      }
      entries.push(entry);
    }
    const bytes = Buffer.concat([...chunks, centralDirectory(entries, length)]);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // The plain end record says "see ZIP64" (0xffff); the locator sits right before it.
    expect(view.getUint16(bytes.length - 22 + 10, true)).toBe(0xffff);
    expect(view.getUint32(bytes.length - 22 - 20, true)).toBe(0x07064b50);

    const files = unzipSync(bytes);
    expect(Object.keys(files)).toHaveLength(count);
    expect(new TextDecoder().decode(files['attachments/65536.txt'])).toBe('65536');
    expect(new TextDecoder().decode(files['attachments/0.txt'])).toBe('0');
  });
});
