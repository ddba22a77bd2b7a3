import {
  appendToEntry,
  entryHead,
  entryTail,
  finishEntry,
  startEntry,
  type ZipEntry,
} from '@westwallet/shared/exports';
import type { JobKind, StepContext } from '../jobs/kind.ts';
import { resumableChunk, UploadGone } from '../jobs/storage.ts';

/**
 * How an export writes its file: front to back, through one resumable upload into
 * `exports/<org>/<job>/<file>`, a chunk of exactly 6 MB at a time (docs/exports.md, "How the steps
 * work").
 *
 * A step may not send bytes it computed itself: if it died after sending them but before its
 * checkpoint, it would run again from the old checkpoint and compute other bytes (it reads as many
 * pages as its time allows, and rows change), and the upload would hold some of each. So a step
 * sends only what the step before it held back, fixed in a staging object, and holds back what it
 * wrote for the next one. Two staging objects take turns, so a step that runs again finds the one
 * it read unchanged; a chunk it sends again is recognised by the upload (409, then HEAD).
 */
export const exportsBucket = 'exports';

export function jobFolder(ctx: StepContext): string {
  return `${ctx.orgId}/${ctx.jobId}`;
}

/** The upload's part of a checkpoint. */
export interface UploadState {
  /** The resumable upload, once a step created it. */
  url: string | null;
  /** Bytes the upload has. */
  sent: number;
  /** Bytes written after those, held in staging object `steps % 2` for the next step to send. */
  held: number;
  steps: number;
}

export function newUpload(): UploadState {
  return { url: null, sent: 0, held: 0, steps: 0 };
}

/** Where the next byte written lands in the file. */
export function fileOffset(upload: UploadState): number {
  return upload.sent + upload.held;
}

export interface ExportFile {
  name: string;
  contentType: string;
}

function stagingPath(ctx: StepContext, slot: number): string {
  return `${jobFolder(ctx)}/staging/${slot}`;
}

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

async function heldBytes(ctx: StepContext, upload: UploadState): Promise<Uint8Array> {
  if (upload.held === 0) return new Uint8Array(0);
  return await ctx.storage.download(exportsBucket, stagingPath(ctx, upload.steps % 2));
}

/**
 * Sends the whole chunks the last step held back, and holds back the rest with `written` (what
 * this step wrote) for the next step. The upload's next state, for the checkpoint.
 */
export async function writeThrough(
  ctx: StepContext,
  file: ExportFile,
  upload: UploadState,
  written: readonly Uint8Array[],
): Promise<UploadState> {
  const held = await heldBytes(ctx, upload);
  const url = upload.url ??
    (await ctx.storage.createUpload(exportsBucket, `${jobFolder(ctx)}/${file.name}`, {
      contentType: file.contentType,
    }));
  let sent = upload.sent;
  let at = 0;
  for (; held.length - at >= resumableChunk; at += resumableChunk) {
    sent = await ctx.storage.appendChunk(url, sent, held.subarray(at, at + resumableChunk));
  }
  const rest = concat([held.subarray(at), ...written]);
  const steps = upload.steps + 1;
  if (rest.length > 0) await ctx.storage.upload(exportsBucket, stagingPath(ctx, steps % 2), rest);
  return { url, sent, held: rest.length, steps };
}

/**
 * Sends what is held back and `tail` (what this step wrote last), the last chunk finishing the
 * object. Runs again safely: chunks the upload has are recognised. The file's path and size.
 */
export async function finishUpload(
  ctx: StepContext,
  file: ExportFile,
  upload: UploadState,
  tail: readonly Uint8Array[],
): Promise<{ path: string; size: number }> {
  // The tail is sent in this step: it must be what a run again computes, so only pure data (the
  // ZIP's central directory from the checkpoint), never rows read now.
  const path = `${jobFolder(ctx)}/${file.name}`;
  const rest = concat([await heldBytes(ctx, upload), ...tail]);
  const url = upload.url ?? (await ctx.storage.createUpload(exportsBucket, path, { contentType: file.contentType }));
  let sent = upload.sent;
  let at = 0;
  for (; rest.length - at > resumableChunk; at += resumableChunk) {
    sent = await ctx.storage.appendChunk(url, sent, rest.subarray(at, at + resumableChunk));
  }
  const size = await ctx.storage.appendChunk(url, sent, rest.subarray(at), { last: true });
  return { path, size };
}

/** Removes the staging objects, once the file is finished. */
export async function removeStaging(ctx: StepContext): Promise<void> {
  await ctx.storage.remove(exportsBucket, [stagingPath(ctx, 0), stagingPath(ctx, 1)]);
}

/** What a step writes into a ZIP, kept in memory until it goes to writeThrough. */
export class ZipStep {
  readonly written: Uint8Array[] = [];
  #length = 0;

  /** `start`: where the step's first byte lands in the archive (fileOffset). */
  constructor(private readonly start: number) {}

  get offset(): number {
    return this.start + this.#length;
  }

  /** Enough for one step: it should go now, so a step's memory stays a few chunks. */
  get full(): boolean {
    return this.#length >= 2 * resumableChunk;
  }

  push(bytes: Uint8Array): void {
    this.written.push(bytes);
    this.#length += bytes.length;
  }

  /** Starts an entry written over several steps (its sizes follow its data). */
  async open(name: string): Promise<ZipEntry> {
    const entry: ZipEntry = { ...(await startEntry(name)), offset: this.offset, described: true };
    this.push(entryHead(entry));
    return entry;
  }

  async write(entry: ZipEntry, data: string | Uint8Array): Promise<ZipEntry> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const { entry: next, part } = await appendToEntry(entry, bytes);
    this.push(part);
    return next;
  }

  /** Ends an entry opened by open(): its final block and data descriptor. */
  async close(entry: ZipEntry): Promise<ZipEntry> {
    const { entry: finished, part } = await finishEntry(entry);
    if (part) this.push(part);
    this.push(entryTail(finished));
    return keep(finished);
  }

  /** A small entry written whole, with its sizes in its header. */
  async whole(name: string, data: string | Uint8Array, method: 0 | 8 = 8): Promise<ZipEntry> {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const { entry, part } = await appendToEntry(await startEntry(name, method), bytes);
    const { entry: finished, part: end } = await finishEntry(entry);
    const placed = { ...finished, offset: this.offset };
    this.push(entryHead(placed));
    this.push(part);
    if (end) this.push(end);
    return keep(placed);
  }
}

/** A finished entry's hash states are not needed again: keep the checkpoint small. */
function keep(entry: ZipEntry): ZipEntry {
  return { ...entry, crcState: '', shaState: '' };
}

/**
 * An upload URL lives 24 hours: a job resumed after that (an operator retrying a dead one) starts
 * its file again rather than failing for good.
 */
export function restartingWhenUploadGone<P, S, R>(kind: JobKind<P, S, R>): JobKind<P, S, R> {
  return {
    ...kind,
    async step(ctx, params, state) {
      try {
        return await kind.step(ctx, params, state);
      } catch (error) {
        if (!(error instanceof UploadGone)) throw error;
        return { state: kind.initialState(params), progress: { fraction: 0, message: 'upload expired: restarted' } };
      }
    },
  };
}

/** Time left for one more page: stop with this much to spare for sending and the checkpoint. */
export const stepReserveMs = 600;
