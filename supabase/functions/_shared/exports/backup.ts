import {
  attachmentFile,
  backupFormat,
  backupFormatVersion,
  type BackupManifest,
  type BackupParams,
  backupParams,
  centralDirectory,
  csvHeader,
  manifestEntries,
  ndjson,
  tableFile,
  type TransactionCursor,
  transactionRecords,
  type ZipEntry,
} from '@westwallet/shared/exports';
import type { JobKind, StepContext } from '../jobs/kind.ts';
import { asRequester, overview, readTransactionPages } from './read.ts';
import {
  type ExportFile,
  fileOffset,
  finishUpload,
  newUpload,
  removeStaging,
  stepReserveMs,
  type UploadState,
  writeThrough,
  ZipStep,
} from './upload.ts';

interface BackupState {
  phase: 'tables' | 'csv' | 'attachments' | 'manifest' | 'finish' | 'cleanup';
  /** The tables to back up (parents first), fixed at the first step. */
  tables: { name: string; depth: number; rows: number }[];
  table: number;
  /** The last primary key written of the current table, or the last attachment's id. */
  key: string | null;
  cursor: TransactionCursor | null;
  /** Finished entries, then the one being written last. */
  entries: ZipEntry[];
  open: ZipEntry | null;
  attachments: BackupManifest['attachments'];
  upload: UploadState;
  path: string | null;
  size: number;
}

const tablePage = 1000;
const attachmentsBucket = 'attachments';
const file: ExportFile = { name: 'backup.zip', contentType: 'application/zip' };

function tablePageRows(ctx: StepContext, table: string, after: string | null) {
  return asRequester(ctx, async (sql) => [
    ...(await sql<{ key: string; row_data: Record<string, unknown> }[]>`
      select key, row_data from private.export_table_page(${table}, ${ctx.orgId}, ${after}, ${tablePage})`),
  ]);
}

/**
 * `export.backup`: the organization as a ZIP a restore can read (docs/exports.md, "Backup
 * format"): one NDJSON per table, the transactions as CSV, every attachment's file, and
 * manifest.json with counts and SHA-256 checksums. Admins only: it holds everything.
 */
export const backupExport: JobKind<
  BackupParams,
  BackupState,
  { path: string; size: number; tables: number; attachments: number }
> = {
  name: 'export.backup',
  role: 'admin',
  params: backupParams,
  initialState: () => ({
    phase: 'tables',
    tables: [],
    table: 0,
    key: null,
    cursor: null,
    entries: [],
    open: null,
    attachments: [],
    upload: newUpload(),
    path: null,
    size: 0,
  }),
  async step(ctx, _params, state) {
    const s: BackupState = structuredClone(state);
    const out = new ZipStep(fileOffset(s.upload));
    /** The step's checkpoint, once what it wrote is on its way. */
    const checkpoint = async (progress: { fraction: number; message: string }) => {
      s.upload = await writeThrough(ctx, file, s.upload, out.written);
      return { state: s, progress };
    };
    if (s.phase === 'tables') {
      if (s.tables.length === 0 && s.table === 0) {
        const tables = await asRequester(
          ctx,
          (sql) => sql<{ table_name: string; depth: number }[]>`select * from private.export_tables()`,
        );
        s.tables = tables.map((t) => ({ name: t.table_name, depth: t.depth, rows: 0 }));
      }
      while (s.table < s.tables.length && !out.full && ctx.deadline.remainingMs() > stepReserveMs) {
        const table = s.tables[s.table];
        const page = await tablePageRows(ctx, table.name, s.key);
        s.open = await out.write(
          s.open ?? (await out.open(tableFile(table.name))),
          ndjson(page.map((r) => r.row_data)),
        );
        table.rows += page.length;
        s.key = page.at(-1)?.key ?? s.key;
        if (page.length < tablePage) {
          s.entries.push(await out.close(s.open));
          s.open = null;
          s.key = null;
          s.table += 1;
        }
      }
      if (s.table === s.tables.length) s.phase = 'csv';
      const done = s.tables.slice(0, s.table).length;
      return await checkpoint({ fraction: 0.5 * (done / Math.max(s.tables.length, 1)), message: `${done} tables` });
    }
    if (s.phase === 'csv') {
      const [org] = await ctx.sql`select locale::text from public.organizations where id = ${ctx.orgId}`;
      const options = { locale: org.locale, bom: true };
      let text = s.open ? '' : csvHeader(options);
      s.open ??= await out.open('csv/transactions.csv');
      let pages = 0;
      const read = await readTransactionPages(ctx, {}, s.cursor, (batch) => {
        text += transactionRecords(batch, options);
        return ++pages < 40 && ctx.deadline.remainingMs() > stepReserveMs;
      });
      s.cursor = read.cursor;
      const finished = read.finished;
      s.open = await out.write(s.open, text);
      if (finished) {
        s.entries.push(await out.close(s.open));
        s.open = null;
        s.phase = 'attachments';
      }
      return await checkpoint({ fraction: 0.6, message: 'transactions.csv' });
    }
    if (s.phase === 'attachments') {
      // One file per entry, stored as it is (receipts are compressed images and PDFs already).
      while (!out.full && ctx.deadline.remainingMs() > stepReserveMs) {
        const [row] = await tablePageRowsAfter(ctx, s.key);
        if (!row) {
          s.phase = 'manifest';
          break;
        }
        const a = row.row_data as { id: string; object_path: string; file_name: string };
        const bytes = await ctx.storage.download(attachmentsBucket, a.object_path);
        const name = attachmentFile(a.id, a.file_name);
        s.entries.push(await out.whole(name, bytes, 0));
        s.attachments.push({ id: a.id, object_path: a.object_path, file: name, size: bytes.length });
        s.key = row.key;
      }
      return await checkpoint({ fraction: 0.85, message: `${s.attachments.length} files` });
    }
    if (s.phase === 'manifest') {
      const info = (await overview(ctx)).organization;
      const [migration] = await ctx.sql`select max(version) as version from supabase_migrations.schema_migrations`;
      const manifest: BackupManifest = {
        format: backupFormat,
        format_version: backupFormatVersion,
        schema_version: migration.version,
        created_at: new Date().toISOString(),
        organization: { id: info.id, name: info.name, base_currency: info.base_currency, locale: info.locale },
        tables: s.tables.map((t) => ({ name: t.name, file: tableFile(t.name), rows: t.rows, depth: t.depth })),
        attachments: s.attachments,
        entries: manifestEntries(s.entries),
      };
      s.entries.push(await out.whole('manifest.json', JSON.stringify(manifest, null, 2)));
      s.phase = 'finish';
      return await checkpoint({ fraction: 0.9, message: 'manifest' });
    }
    if (s.phase === 'finish') {
      const end = centralDirectory(s.entries, fileOffset(s.upload));
      const { path, size } = await finishUpload(ctx, file, s.upload, [end]);
      s.path = path;
      s.size = size;
      s.phase = 'cleanup';
      return { state: s, progress: { fraction: 0.98, message: 'written' } };
    }
    await removeStaging(ctx);
    const result = { path: s.path as string, size: s.size, tables: s.tables.length, attachments: s.attachments.length };
    return { state: s, progress: { fraction: 1, message: 'done' }, done: result };
  },
};

/** The next attachment row after `key` (one at a time: each is a file to copy). */
function tablePageRowsAfter(ctx: StepContext, key: string | null) {
  return asRequester(ctx, async (sql) => [
    ...(await sql<{ key: string; row_data: Record<string, unknown> }[]>`
      select key, row_data from private.export_table_page('attachments', ${ctx.orgId}, ${key}, 1)`),
  ]);
}
