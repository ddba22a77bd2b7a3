/**
 * Bytes to text for the bank file readers: what the file declares wins (OFX CHARSET/ENCODING, the
 * XML prolog's encoding), then a byte-order mark, then UTF-8; a file that is not valid UTF-8 and
 * declares nothing is read as Windows-1252, the superset of ISO-8859-1 that Nordic and German
 * banks' exports are in, so "Müller" never becomes "M�ller". TextDecoder does the decoding (Node
 * and Deno both ship the WHATWG encodings), so no code page table lives here.
 */

export type Decoded = { ok: true; text: string } | { ok: false; charset: string };

/** Decodes with the declared charset label (WHATWG label or an OFX 1.x CHARSET number). */
export function decodeDeclared(bytes: Uint8Array, declared: string): Decoded {
  const label = whatwgLabel(declared);
  try {
    return { ok: true, text: new TextDecoder(label).decode(bytes) };
  } catch {
    return { ok: false, charset: declared };
  }
}

/** Decodes a file that declares nothing: BOM, else strict UTF-8, else Windows-1252. */
export function decodeUndeclared(bytes: Uint8Array): string {
  return new TextDecoder(undeclaredEncoding(bytes)).decode(bytes);
}

/**
 * The encoding of a file that declares nothing, from the whole file (one byte that is not UTF-8
 * makes all of it Windows-1252), so that a reader decoding it a part at a time decodes each part
 * as the whole would be.
 */
export function undeclaredEncoding(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | 'utf-8' | 'windows-1252' {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

/** The first bytes as Latin-1, one char per byte: enough to read headers and prologs before decoding. */
export function peekAscii(bytes: Uint8Array, length = 4096): string {
  let start = 0;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
  return new TextDecoder('latin1').decode(bytes.subarray(start, start + length));
}

function whatwgLabel(declared: string): string {
  const label = declared.trim().toLowerCase();
  // OFX 1.x writes code pages as bare numbers (CHARSET:1252) and ISO-8859-1 as 8859-1.
  if (/^125\d$/.test(label)) return `windows-${label}`;
  if (/^8859-\d+$/.test(label)) return `iso-${label}`;
  if (label === 'usascii' || label === 'us-ascii' || label === 'none') return 'windows-1252';
  return label;
}
