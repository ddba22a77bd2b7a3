import type { ZipEntry } from './zip.ts';

/**
 * The full backup's manifest (`manifest.json`, the archive's last entry: it holds the other
 * entries' checksums). The restore reads it first through the ZIP's central directory, checks
 * `format` and `format_version`, migrates from `schema_version` if older, and inserts the tables
 * in `tables` order (parents first).
 */
export const backupFormat = 'westwallet-backup';
export const backupFormatVersion = 1;

export interface BackupManifest {
  format: typeof backupFormat;
  format_version: typeof backupFormatVersion;
  /** The newest migration applied to the database the backup came from (supabase_migrations). */
  schema_version: string;
  created_at: string;
  organization: { id: string; name: string; base_currency: string; locale: string };
  /** One NDJSON file per table (`data/<table>.ndjson`, one JSON row per line, columns by name). */
  tables: { name: string; file: string; rows: number; depth: number }[];
  /** Files of attachments: `attachments/<attachment id>/<file name>`, the row is in data/attachments.ndjson. */
  attachments: { id: string; object_path: string; file: string; size: number }[];
  /** Every other entry of the archive with its uncompressed size and SHA-256 (hex). */
  entries: Record<string, { size: number; sha256: string }>;
}

export function tableFile(table: string): string {
  return `data/${table}.ndjson`;
}

/** A name that is safe as one path segment of a ZIP entry. */
export function safeFileName(name: string): string {
  const cleaned = name.replace(/[\\/\p{Cc}]/gu, '_').replace(/^\.+/, '_');
  return cleaned.slice(0, 200) || 'file';
}

export function attachmentFile(id: string, fileName: string): string {
  return `attachments/${id}/${safeFileName(fileName)}`;
}

/** Rows as NDJSON: one JSON object and a LF each. */
export function ndjson(rows: readonly unknown[]): string {
  let out = '';
  for (const row of rows) out += `${JSON.stringify(row)}\n`;
  return out;
}

export function manifestEntries(entries: readonly ZipEntry[]): BackupManifest['entries'] {
  const out: BackupManifest['entries'] = {};
  for (const e of entries) {
    if (e.sha256 === undefined) throw new Error(`zip entry ${e.name} is not finished`);
    out[e.name] = { size: e.size, sha256: e.sha256 };
  }
  return out;
}
