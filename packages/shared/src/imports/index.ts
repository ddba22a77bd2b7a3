import { camtReader } from './camt.ts';
import { type CsvLayout, type CsvOptions, parseCsv } from './csv.ts';
import { peekAscii } from './decode-text.ts';
import { detectFormat } from './detect.ts';
import { mt940Reader } from './mt940.ts';
import { ofxReader } from './ofx.ts';
import { type QifDateOrder, qifReader } from './qif.ts';
import type { ParseResult, StatementFormat } from './statement.ts';
import { readWhole, type StructuredReader } from './statement-parts.ts';

// The structured formats' readers are exported too, for a client that checks a file before uploading it.
export { parseCamt } from './camt.ts';
export {
  type CsvCarry,
  type CsvLayout,
  type CsvOptions,
  type CsvPart,
  type CsvPosition,
  finishCsv,
  newCsvCarry,
  readCsvLayout,
  readCsvPart,
} from './csv.ts';
export * from './csv-mapping.ts';
export { type CsvPreset, csvPreset, csvPresets } from './csv-presets.ts';
export * from './dedupe.ts';
export { detectFormat } from './detect.ts';
export * from './limits.ts';
export { parseMt940 } from './mt940.ts';
export { parseOfx } from './ofx.ts';
export * from './params.ts';
export { parseQif, type QifDateOrder, type QifOptions } from './qif.ts';
export * from './statement.ts';
export {
  problemOrder,
  type Refusal,
  type StatementHead,
  type StructuredPart,
  type StructuredPosition,
  type StructuredReader,
} from './statement-parts.ts';

export interface ParseOptions extends CsvOptions {
  /** The file's format when the member chose it; detected from the bytes otherwise. */
  format?: StatementFormat;
  /** QIF only: how to read dates that are valid month first and day first (the file did not settle it). */
  dateOrder?: QifDateOrder;
}

/** A parse, and for a CSV how it was read (the mapping the preview shows and a member may correct). */
export type StatementParse = ParseResult & { csv: CsvLayout | null };

/** The formats read by a StructuredReader (statement-parts.ts), a part at a time. */
export type StructuredFormat = Exclude<StatementFormat, 'csv'>;

/** The reader of each structured format. */
export const structuredReaders: Record<StructuredFormat, StructuredReader> = {
  ofx: ofxReader,
  qif: qifReader,
  'camt.053': camtReader,
  'camt.054': camtReader,
  mt940: mt940Reader,
};

/**
 * The format of a file nobody named, from its content. What detection places nowhere goes to the
 * CSV reader, whose refusal says what is wrong with it (binary, empty, no columns to map), except
 * XML or HTML that is no statement we read (a camt.052 report, a pain file, a web page).
 */
export function statementFormatOf(bytes: Uint8Array): StatementFormat | null {
  const detected = detectFormat(bytes);
  if (detected) return detected;
  return /^\s*</.test(peekAscii(bytes, 1024)) ? null : 'csv';
}

/** Reads a bank statement file of any supported format into one normalized statement. */
export function parseStatement(bytes: Uint8Array, options: ParseOptions): StatementParse {
  const format = options.format ?? statementFormatOf(bytes);
  if (!format) {
    return {
      statement: null,
      problems: [
        {
          line: null,
          code: 'IMPORT_FORMAT_UNSUPPORTED',
          message: 'An XML or HTML file that is no OFX, CAMT.053 or CAMT.054 statement.',
        },
      ],
      csv: null,
    };
  }
  if (format === 'csv') return parseCsv(bytes, options);
  return { ...readWhole(structuredReaders[format], bytes, options), csv: null };
}
