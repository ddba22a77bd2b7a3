import { fileTypeFromBuffer } from 'file-type';

/**
 * Declared types that may name a file whose signature only tells its container: file-type reads
 * an OLE compound file (legacy Word, Excel, PowerPoint, Outlook) as `application/x-cfb`.
 */
const CONTAINER_REFINEMENTS: Record<string, readonly string[]> = {
  'application/x-cfb': [
    'application/msword',
    'application/vnd.ms-excel',
    'application/vnd.ms-powerpoint',
    'application/vnd.ms-outlook',
  ],
};

/** Text formats without a signature: a file that is plain text keeps one of these if declared. */
const PLAIN_TEXT_TYPES = new Set(['text/plain', 'text/csv', 'text/tab-separated-values', 'application/json']);

/** Enough of a file to tell text from binary and to find markup at its start. */
const TEXT_SAMPLE_BYTES = 8192;

/**
 * The type a stored file is given, from its bytes rather than from what the uploader declared,
 * so a bucket's `allowed_mime_types` cannot be passed by naming an SVG or HTML page `image/png`.
 *
 * - A file with a signature (magic number) is what file-type reads, unless the signature only
 *   names a container the declared type belongs to (a legacy .doc is an OLE file).
 * - Text that starts with markup is `image/svg+xml` when it holds an `<svg` element, else
 *   `application/xml` when it opens with an XML declaration and `text/html` otherwise: types a
 *   browser runs scripts in, which buckets for documents leave out.
 * - Other UTF-8 text keeps a declared plain-text type (txt, csv, tsv, json) and is otherwise
 *   `text/plain`: its bytes cannot tell csv from txt, and none of these run in a browser.
 * - Anything else is `application/octet-stream`.
 */
export async function sniffContentType(bytes: Uint8Array, declared: string | null): Promise<string> {
  const claimed = essence(declared);
  const signature = await fileTypeFromBuffer(bytes);
  if (signature && signature.mime !== 'application/xml') {
    return CONTAINER_REFINEMENTS[signature.mime]?.includes(claimed) ? claimed : signature.mime;
  }
  const text = decodeText(bytes.subarray(0, TEXT_SAMPLE_BYTES));
  if (text === undefined) return 'application/octet-stream';
  const start = text.replace(/^\uFEFF?\s*/, '');
  if (start.startsWith('<')) {
    if (/<svg[\s>]/i.test(start)) return 'image/svg+xml';
    return signature ? signature.mime : 'text/html';
  }
  return PLAIN_TEXT_TYPES.has(claimed) ? claimed : 'text/plain';
}

/** `Text/CSV; charset=utf-8` -> `text/csv`. */
function essence(type: string | null): string {
  return (type ?? '').split(';', 1)[0].trim().toLowerCase();
}

/** The sample as text, or undefined when it is not UTF-8 or holds control characters. */
function decodeText(sample: Uint8Array): string | undefined {
  try {
    // `stream` lets the sample end inside a multi-byte character.
    const text = new TextDecoder('utf-8', { fatal: true }).decode(sample, { stream: true });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters mark binary data
    return /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.test(text) ? undefined : text;
  } catch {
    return undefined;
  }
}
