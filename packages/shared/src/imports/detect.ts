/**
 * Which bank file format some bytes are, from their content only (a file's name and MIME type
 * are whatever the browser or the bank made of them): the structured formats by their own
 * markers, 'csv' for other delimited text, null for anything else (a PDF, a ZIP, an image, a
 * spreadsheet, plain prose). Reads at most the first 64 KiB.
 */
import { peekAscii } from './decode-text.ts';
import type { StatementFormat } from './statement.ts';

const window = 1 << 16;

export function detectFormat(bytes: Uint8Array): StatementFormat | null {
  if (bytes.length === 0 || isBinary(bytes)) return null;
  const head = utf16(bytes) ?? peekAscii(bytes, window);
  const start = head.trimStart();

  if (/^OFXHEADER\s*:/i.test(start) || /^(<\?xml[^>]*>\s*)?<\?OFX\b/i.test(start) || /^<OFX>/i.test(start))
    return 'ofx';
  if (start.startsWith('<')) {
    const camt = /urn:iso:std:iso:20022:tech:xsd:camt\.(053|054)\.001\.\d{2}/.exec(head);
    if (camt) return camt[1] === '053' ? 'camt.053' : 'camt.054';
    return null; // other XML or HTML: no statement we read
  }
  if (/^!(Type|Account|Option|Clear)\b/i.test(start)) return 'qif';
  if (isMt940(start)) return 'mt940';
  return looksDelimited(start) ? 'csv' : null;
}

/** What people upload by mistake: PDF, ZIP (also XLSX), PNG, GIF, JPEG, OLE2 (XLS, DOC), gzip. */
const magicNumbers = [
  [0x25, 0x50, 0x44, 0x46, 0x2d],
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
  [0x89, 0x50, 0x4e, 0x47],
  [0x47, 0x49, 0x46, 0x38],
  [0xff, 0xd8, 0xff],
  [0xd0, 0xcf, 0x11, 0xe0],
  [0x1f, 0x8b],
];

/** Magic numbers, and NUL or control bytes that text never has. */
function isBinary(bytes: Uint8Array): boolean {
  if (magicNumbers.some((magic) => magic.every((b, i) => bytes[i] === b))) return true;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return false;
  const sample = bytes.subarray(0, Math.min(bytes.length, window));
  let control = 0;
  for (const b of sample) {
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1a) control++;
  }
  return control > sample.length / 100;
}

function utf16(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(0, window));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(0, window));
  return null;
}

/** MT940 with or without the SWIFT envelope: a :20: reference and an opening balance or entry. */
function isMt940(text: string): boolean {
  if (/^\{1:[^}]*\}\{2:[IO]940/.test(text)) return true;
  return /^:20:/m.test(text) && /^:25:/m.test(text) && /^:(60[FM]|61):/m.test(text);
}

/** Two or more lines that split into the same number (over one) of fields on one delimiter. */
function looksDelimited(text: string): boolean {
  const lines = text
    .split(/\r\n|\r|\n/)
    .slice(0, 50)
    .filter((l) => l.trim() !== '');
  if (lines.length === 0) return false;
  if (lines.length === 1) return [';', ',', '\t', '|'].some((d) => (lines[0] ?? '').includes(d));
  return [';', ',', '\t', '|'].some((d) => {
    const counts = lines.map((l) => l.split(d).length - 1);
    const common = mostCommon(counts);
    return common > 0 && counts.filter((c) => c === common).length >= Math.ceil(lines.length / 2);
  });
}

function mostCommon(values: number[]): number {
  const tally = new Map<number, number>();
  for (const v of values) tally.set(v, (tally.get(v) ?? 0) + 1);
  return [...tally.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]?.[0] ?? 0;
}
