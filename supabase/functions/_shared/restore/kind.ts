import {
  checkManifest,
  readCentralDirectory,
  readEndRecord,
  restoredObjectPath,
  type RestoreParams,
  restoreParams,
  ZipDirectoryEntry,
  ZipFormatError,
  zipTailLength,
} from '@westwallet/shared/restore';
import { createSHA256, type IHasher } from 'hash-wasm';
import type postgres from 'postgres';
import { JobFailure, type JobKind, type StepContext } from '../jobs/kind.ts';
import {
  type BackupSource,
  entryChunks,
  EntryDamaged,
  fromBase64,
  type ResumePoint,
  storageSource,
  toBase64,
} from './source.ts';

/** An entry to read, with what the manifest says it holds. */
interface Entry extends ZipDirectoryEntry {
  sha256: string;
}

interface RestoreState {
  phase: 'open' | 'stage' | 'files' | 'commit';
  /** The new organization's id, chosen at the first step: the files are copied under it. */
  orgId: string;
  organization: { name: string; base_currency: string; locale: string } | null;
  tables: { name: string; entry: Entry }[];
  skipped: string[];
  files: { id: string; objectPath: string; entry: Entry }[];
  /** Staging: the table being read, its next line, the bytes read so far and their SHA-256 state. */
  table: number;
  line: number;
  offset: number;
  sha: string | null;
  /** Where the entry's inflating can start again, at or before `offset` (source.ts). */
  resume: ResumePoint | null;
  /** Files copied so far. */
  file: number;
}

interface RestoreResult {
  org_id: string;
  tables: Record<string, number>;
  attachments: number;
  skipped: string[];
}

/** Rows per insert into the staging table. */
const batchRows = 500;
/** Time kept back at the end of a step for the last insert and the checkpoint. */
const reserveMs = 500;
/** manifest.json is read whole: a backup's manifest of 65,535 entries is about 10 MB. */
const manifestLimit = 32 << 20;
const attachmentsBucket = 'attachments';

async function hasher(saved: string | null): Promise<IHasher> {
  const sha = await createSHA256();
  sha.init();
  if (saved) sha.load(fromBase64(saved));
  return sha;
}

async function readWhole(source: BackupSource, entry: ZipDirectoryEntry): Promise<Uint8Array> {
  const out = new Uint8Array(entry.size);
  let at = 0;
  for await (const { bytes: chunk } of entryChunks(source, entry)) {
    if (at + chunk.length > out.length) throw new EntryDamaged(`${entry.name}: longer than its directory says`);
    out.set(chunk, at);
    at += chunk.length;
  }
  if (at !== out.length) throw new EntryDamaged(`${entry.name}: shorter than its directory says`);
  return out;
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const sha = await hasher(null);
  sha.update(bytes);
  return sha.digest('hex');
}

/** Drops what a failed restore left: staged rows and the files copied so far. */
async function discard(ctx: StepContext, state: RestoreState, copied: number): Promise<void> {
  await ctx.sql`delete from private.restore_rows where job_id = ${ctx.jobId}`;
  const paths = state.files.slice(0, copied).map((f) => restoredObjectPath(f.objectPath, state.orgId));
  for (let i = 0; i < paths.length; i += 1000) await ctx.storage.remove(attachmentsBucket, paths.slice(i, i + 1000));
}

async function refuse(
  ctx: StepContext,
  state: RestoreState,
  copied: number,
  code: ConstructorParameters<typeof JobFailure>[0],
  message: string,
): Promise<never> {
  await discard(ctx, state, copied);
  throw new JobFailure(code, message);
}

/** First step: the directory and the manifest, checked before anything is staged. */
async function open(ctx: StepContext, params: RestoreParams, state: RestoreState, source: BackupSource) {
  const size = await source.size();
  if (size === null) throw new JobFailure('RESTORE_FILE_NOT_FOUND', `no backup at restores/${params.path}`);
  let entries: ZipDirectoryEntry[];
  try {
    const tailStart = Math.max(0, size - zipTailLength);
    const end = readEndRecord(size > 0 ? await source.read(tailStart, size - 1) : new Uint8Array(), size);
    const directory = end.size > 0 ? await source.read(end.offset, end.offset + end.size - 1) : new Uint8Array();
    entries = readCentralDirectory(directory, end.entries);
  } catch (error) {
    if (error instanceof ZipFormatError) throw new JobFailure('RESTORE_ARCHIVE_DAMAGED', error.message);
    throw error;
  }
  const byName = new Map(entries.map((e) => [e.name, e]));
  const manifestEntry = byName.get('manifest.json');
  if (!manifestEntry) throw new JobFailure('RESTORE_NOT_A_BACKUP', 'the ZIP has no manifest.json');
  if (manifestEntry.size > manifestLimit) throw new JobFailure('RESTORE_NOT_A_BACKUP', 'manifest.json is too large');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(await readWhole(source, manifestEntry)));
  } catch (error) {
    if (error instanceof EntryDamaged) throw new JobFailure('RESTORE_ARCHIVE_DAMAGED', error.message);
    throw new JobFailure('RESTORE_NOT_A_BACKUP', 'manifest.json is not JSON');
  }
  const [{ version }] = await ctx.sql`select max(version) as version from supabase_migrations.schema_migrations`;
  const checked = checkManifest(json, version);
  if ('problem' in checked) throw new JobFailure(checked.problem.code, checked.problem.message);
  const { manifest } = checked;

  const entry = (name: string): Entry => {
    const listed = manifest.entries[name];
    const found = byName.get(name);
    if (!listed || !found || found.size !== listed.size) {
      throw new JobFailure('RESTORE_ARCHIVE_DAMAGED', `${name} is missing or not the size the manifest says`);
    }
    return { ...found, sha256: listed.sha256 };
  };
  const restorable = new Set(
    (await ctx.sql<{ table_name: string }[]>`
      select e.table_name from private.export_tables() e
      where e.table_name <> all (private.restore_skipped_tables())`).map((t) => t.table_name),
  );
  state.tables = manifest.tables.filter((t) => restorable.has(t.name)).map((t) => ({
    name: t.name,
    entry: entry(t.file),
  }));
  state.skipped = manifest.tables.filter((t) => !restorable.has(t.name)).map((t) => t.name);
  state.files = manifest.attachments.map((a) => ({ id: a.id, objectPath: a.object_path, entry: entry(a.file) }));
  state.organization = {
    name: params.name ?? manifest.organization.name,
    base_currency: manifest.organization.base_currency,
    locale: manifest.organization.locale,
  };
  state.phase = 'stage';
}

/**
 * Stages the current table's NDJSON from `state.offset` on, a batch of lines at a time, until the
 * step's time runs short. The next step inflates the entry again from the last resume point at or
 * before `offset` (a block boundary, source.ts) and skips the few bytes between them.
 */
async function stage(ctx: StepContext, state: RestoreState, source: BackupSource): Promise<void> {
  const { name, entry } = state.tables[state.table];
  const sha = await hasher(state.sha);
  const decoder = new TextDecoder();
  let seen = state.resume?.output ?? 0;
  // Resume points met but not yet behind the staged lines: one becomes the checkpoint at a flush.
  let points: ResumePoint[] = [];
  let pending = new Uint8Array();
  let batch: unknown[] = [];
  let batchBytes = 0;
  const flush = async () => {
    if (batch.length > 0) {
      const first = state.line;
      await ctx.sql`
        insert into private.restore_rows (job_id, table_name, line, row_data)
        select ${ctx.jobId}, ${name}, ${first} + r.ordinality - 1, r.value
        from jsonb_array_elements(${ctx.sql.json(batch as postgres.JSONValue)}) with ordinality r
        on conflict do nothing`;
      state.line += batch.length;
    }
    state.offset += batchBytes;
    state.sha = toBase64(sha.save());
    state.resume = points.findLast((p) => p.output <= state.offset) ?? state.resume;
    points = points.filter((p) => p.output > state.offset);
    batch = [];
    batchBytes = 0;
  };
  const take = (bytes: Uint8Array) => {
    sha.update(bytes);
    batchBytes += bytes.length;
    for (const line of decoder.decode(bytes).split('\n')) {
      if (line.trim() === '') continue;
      try {
        batch.push(JSON.parse(line));
      } catch {
        throw new RowsInvalid(`${name}: line ${state.line + batch.length + 1} is not JSON`);
      }
    }
  };
  for await (const { bytes: chunk, resume } of entryChunks(source, entry, state.resume)) {
    let data = chunk;
    if (seen < state.offset) {
      const skip = Math.min(state.offset - seen, chunk.length);
      seen += skip;
      data = chunk.subarray(skip);
    }
    seen += data.length;
    if (data.length === 0) continue;
    const joined = new Uint8Array(pending.length + data.length);
    joined.set(pending);
    joined.set(data, pending.length);
    const cut = joined.lastIndexOf(0x0a) + 1;
    pending = joined.slice(cut);
    take(joined.subarray(0, cut));
    if (resume) points.push(resume);
    if (batch.length >= batchRows) {
      await flush();
      if (ctx.deadline.remainingMs() < reserveMs) return;
    }
  }
  if (pending.length > 0) take(pending);
  await flush();
  if (state.offset !== entry.size || sha.digest('hex') !== entry.sha256) {
    throw new EntryDamaged(`${entry.name}: its size or SHA-256 is not the manifest's`);
  }
  state.table += 1;
  state.line = 0;
  state.offset = 0;
  state.sha = null;
  state.resume = null;
}

class RowsInvalid extends Error {
  override name = 'RowsInvalid';
}

/** Copies one attachment's file (checked against its SHA-256) into the new organization's folder. */
async function copyFile(ctx: StepContext, state: RestoreState, source: BackupSource): Promise<void> {
  const file = state.files[state.file];
  const bytes = await readWhole(source, file.entry);
  if ((await sha256Hex(bytes)) !== file.entry.sha256) {
    throw new EntryDamaged(`${file.entry.name}: its SHA-256 is not the manifest's`);
  }
  const [row] = await ctx.sql<{ content_type: string | null }[]>`
    select row_data ->> 'content_type' as content_type from private.restore_rows
    where job_id = ${ctx.jobId} and table_name = 'attachments' and row_data ->> 'id' = ${file.id}`;
  await ctx.storage.upload(attachmentsBucket, restoredObjectPath(file.objectPath, state.orgId), bytes, {
    contentType: row?.content_type || 'application/octet-stream',
  });
  state.file += 1;
}

/** The commit: one transaction (private.restore_organization), which a step run again finds done. */
async function commit(ctx: StepContext, state: RestoreState): Promise<RestoreResult> {
  const org = state.organization as NonNullable<RestoreState['organization']>;
  const tables = state.tables.map((t) => t.name);
  const [{ summary }] = await ctx.sql<{ summary: { org_id: string; tables: Record<string, number> } }[]>`
    select private.restore_organization(${ctx.jobId}, ${state.orgId}, ${ctx.requestedBy}, ${org.name},
                                        ${org.base_currency}, ${org.locale}::public.locale, ${tables}) as summary`;
  return { org_id: summary.org_id, tables: summary.tables, attachments: state.files.length, skipped: state.skipped };
}

/** SQLSTATEs of rows the database refuses (our PT400 codes, data exceptions, constraint violations). */
function refusedRows(error: unknown): string | null {
  const code = (error as { code?: string }).code ?? '';
  if (code === 'PT400' || code.startsWith('22') || code.startsWith('23')) {
    const { message, detail } = error as { message: string; detail?: string };
    return detail ? `${message}: ${detail}` : message;
  }
  return null;
}

/**
 * `import.backup`: a backup ZIP (export.backup) restored into a new organization owned by the
 * member who asked (docs/restore.md). Steps: open (directory and manifest), stage (each table's
 * rows, checked against their SHA-256), files (each attachment's file, checked, copied), commit.
 * A damaged or refused backup leaves nothing: staged rows and copied files are removed, and the
 * organization only comes to be in the commit's transaction.
 */
export const restoreBackup: JobKind<RestoreParams, RestoreState, RestoreResult> = {
  name: 'import.backup',
  role: 'member',
  params: restoreParams,
  // The commit writes every row in one transaction: a household's takes well under a second.
  stepTimeoutMs: 60_000,
  initialState: () => ({
    phase: 'open',
    orgId: crypto.randomUUID(),
    organization: null,
    tables: [],
    skipped: [],
    files: [],
    table: 0,
    line: 0,
    offset: 0,
    sha: null,
    resume: null,
    file: 0,
  }),
  async step(ctx, params, state) {
    const s: RestoreState = structuredClone(state);
    if (!ctx.requestedBy || params.path.split('/')[0] !== ctx.requestedBy) {
      throw new JobFailure('RESTORE_FILE_NOT_FOUND', 'the backup must be in your own folder of the restores bucket');
    }
    const source = storageSource(params.path);
    try {
      if (s.phase === 'open') {
        await open(ctx, params, s, source);
        return { state: s, progress: { fraction: 0.02, message: 'manifest checked' } };
      }
      if (s.phase === 'stage') {
        // At least one batch a step, however little time the invocation has left: every step moves on.
        while (s.table < s.tables.length) {
          await stage(ctx, s, source);
          if (ctx.deadline.remainingMs() < reserveMs) break;
        }
        if (s.table === s.tables.length) s.phase = 'files';
        return {
          state: s,
          progress: {
            fraction: 0.02 + 0.6 * (s.table / Math.max(1, s.tables.length)),
            message: `${s.table} tables read`,
          },
        };
      }
      if (s.phase === 'files') {
        while (s.file < s.files.length) {
          await copyFile(ctx, s, source);
          if (ctx.deadline.remainingMs() < reserveMs) break;
        }
        if (s.file === s.files.length) s.phase = 'commit';
        return {
          state: s,
          progress: {
            fraction: 0.62 + 0.3 * (s.file / Math.max(1, s.files.length)),
            message: `${s.file} files copied`,
          },
        };
      }
      const result = await commit(ctx, s);
      return { state: s, progress: { fraction: 1, message: 'restored' }, done: result };
    } catch (error) {
      if (error instanceof EntryDamaged || error instanceof ZipFormatError) {
        return await refuse(ctx, s, s.file, 'RESTORE_ARCHIVE_DAMAGED', error.message);
      }
      if (error instanceof RowsInvalid) return await refuse(ctx, s, s.file, 'RESTORE_BACKUP_INVALID', error.message);
      const refused = s.phase === 'commit' ? refusedRows(error) : null;
      if (refused) return await refuse(ctx, s, s.file, 'RESTORE_BACKUP_INVALID', refused);
      throw error;
    }
  },
};
