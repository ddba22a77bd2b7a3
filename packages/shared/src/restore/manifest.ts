import { z } from 'zod';
import { backupFormat, backupFormatVersion } from '../exports/backup.ts';

/**
 * What a restore needs of a backup's manifest.json (docs/exports.md, "Backup format"), checked
 * before anything is read: a backup of another format or of a newer version is refused.
 */
const entryName = z.string().min(1).max(1024);

export const manifestSchema = z.object({
  format: z.string(),
  format_version: z.number().int(),
  schema_version: z.string().regex(/^\d{14}$/),
  created_at: z.string(),
  organization: z.object({
    id: z.uuid(),
    name: z.string().min(1).max(200),
    base_currency: z.string().regex(/^[A-Z]{3}$/),
    locale: z.string().min(2).max(10),
  }),
  tables: z.array(
    z.object({
      name: z.string().regex(/^[a-z_][a-z0-9_]*$/),
      file: entryName,
      rows: z.number().int().min(0),
      depth: z.number().int(),
    }),
  ),
  attachments: z.array(
    z.object({ id: z.uuid(), object_path: z.string().min(1), file: entryName, size: z.number().int().min(0) }),
  ),
  entries: z.record(entryName, z.object({ size: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) })),
});

export type RestoreManifest = z.infer<typeof manifestSchema>;

export type ManifestProblem =
  | { code: 'RESTORE_NOT_A_BACKUP'; message: string }
  | { code: 'RESTORE_VERSION_TOO_NEW'; message: string };

/**
 * Checks the manifest's JSON against what this version restores: `schemaVersion` is the newest
 * migration of this database (a backup from a newer schema may hold columns this one lacks).
 */
export function checkManifest(
  json: unknown,
  schemaVersion: string,
): { manifest: RestoreManifest } | { problem: ManifestProblem } {
  const format = (json as { format?: unknown } | null)?.format;
  if (format !== backupFormat) {
    return {
      problem: { code: 'RESTORE_NOT_A_BACKUP', message: 'manifest.json does not describe a WestWallet backup' },
    };
  }
  const version = (json as { format_version?: unknown }).format_version;
  if (typeof version === 'number' && version > backupFormatVersion) {
    return {
      problem: {
        code: 'RESTORE_VERSION_TOO_NEW',
        message: `backup format version ${version} is newer than this version restores (${backupFormatVersion})`,
      },
    };
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success || parsed.data.format_version < 1) {
    return { problem: { code: 'RESTORE_NOT_A_BACKUP', message: 'manifest.json is not a valid backup manifest' } };
  }
  if (parsed.data.schema_version > schemaVersion) {
    return {
      problem: {
        code: 'RESTORE_VERSION_TOO_NEW',
        message: `backup of schema ${parsed.data.schema_version}, newer than this database's ${schemaVersion}`,
      },
    };
  }
  return { manifest: parsed.data };
}
