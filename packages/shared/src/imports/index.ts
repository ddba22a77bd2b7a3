import { type CsvLayout, type CsvOptions, parseCsv } from './csv.ts';
import type { ParseResult, StatementFormat } from './statement.ts';

export type { CsvLayout, CsvOptions } from './csv.ts';
export * from './csv-mapping.ts';
export { type CsvPreset, csvPreset, csvPresets } from './csv-presets.ts';
export * from './dedupe.ts';
export * from './limits.ts';
export * from './params.ts';
export * from './statement.ts';

export interface ParseOptions extends CsvOptions {
  /** The file's format when the member chose it; detected from the bytes otherwise. */
  format?: StatementFormat;
}

/** A parse, and for a CSV how it was read (the mapping the preview shows and a member may correct). */
export type StatementParse = ParseResult & { csv: CsvLayout | null };

type Parser = (bytes: Uint8Array, options: ParseOptions) => StatementParse;

/**
 * The parser of each format. The structured formats (OFX/QFX, QIF, CAMT, MT940) plug in here
 * with one line each, e.g. `ofx: (bytes) => ({ ...parseOfx(bytes), csv: null }),`.
 */
const parsers: Partial<Record<StatementFormat, Parser>> = {
  csv: parseCsv,
};

/**
 * The format of a file nobody named. Until the structured formats' detector is wired in, every
 * file is read as CSV (which refuses what it cannot read as such).
 */
const detectFormat = (_bytes: Uint8Array): StatementFormat | null => 'csv';

/** Reads a bank statement file of any supported format into one normalized statement. */
export function parseStatement(bytes: Uint8Array, options: ParseOptions): StatementParse {
  const format = options.format ?? detectFormat(bytes);
  const parser = format ? parsers[format] : undefined;
  if (!format || !parser) {
    return {
      statement: null,
      problems: [
        { line: null, code: 'IMPORT_FORMAT_UNSUPPORTED', message: `No parser reads ${format ?? 'this file'} yet.` },
      ],
      csv: null,
    };
  }
  return parser(bytes, options);
}
