import {
  appendToEntry,
  finishEntry,
  startEntry,
  zipChunks,
  type ZipEntry,
  zipLength,
} from '@westwallet/shared/exports';
import type { StepContext } from '../jobs/kind.ts';

/**
 * Where an export keeps its pieces between steps and its result: the private `exports` bucket,
 * `<org>/<job>/...`. Parts have deterministic names, so a step that runs again overwrites them.
 */
export const exportsBucket = 'exports';

export function jobFolder(ctx: StepContext): string {
  return `${ctx.orgId}/${ctx.jobId}`;
}

function partPath(ctx: StepContext, entry: number, part: number): string {
  return `${jobFolder(ctx)}/parts/${entry}-${part}`;
}

/** Compresses `data` into the next part of entry number `index` and stores it; the entry's next state. */
export async function writeToEntry(ctx: StepContext, index: number, entry: ZipEntry, data: string | Uint8Array) {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  const written = await appendToEntry(entry, bytes);
  await ctx.storage.upload(exportsBucket, partPath(ctx, index, entry.parts), written.part);
  return written.entry;
}

export async function closeEntry(ctx: StepContext, index: number, entry: ZipEntry): Promise<ZipEntry> {
  const finished = await finishEntry(entry);
  if (finished.part) await ctx.storage.upload(exportsBucket, partPath(ctx, index, entry.parts), finished.part);
  return finished.entry;
}

/** A small entry written whole in one call. */
export async function wholeEntry(
  ctx: StepContext,
  index: number,
  name: string,
  data: string | Uint8Array,
  method: 0 | 8 = 8,
) {
  return closeEntry(ctx, index, await writeToEntry(ctx, index, await startEntry(name, method), data));
}

function streamOf(chunks: AsyncGenerator<Uint8Array>): ReadableStream<Uint8Array> {
  return new ReadableStream({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
}

/**
 * Copies the parts together into `<org>/<job>/<fileName>` as one upload stream (a part in memory
 * at a time). Runs again safely: the upload overwrites. The parts go in a later step
 * (removeParts), once the checkpoint says the file is there.
 */
export async function assembleZip(
  ctx: StepContext,
  entries: readonly ZipEntry[],
  fileName: string,
  contentType: string,
) {
  const path = `${jobFolder(ctx)}/${fileName}`;
  const chunks = zipChunks(entries, (e, p) => ctx.storage.download(exportsBucket, partPath(ctx, e, p)));
  const size = zipLength(entries);
  await ctx.storage.upload(exportsBucket, path, streamOf(chunks), { contentType });
  return { path, size };
}

/** A plain file (CSV) from raw parts `0-0 .. 0-(count-1)`, copied together. */
export async function assembleFile(ctx: StepContext, parts: number, fileName: string, contentType: string) {
  const path = `${jobFolder(ctx)}/${fileName}`;
  async function* chunks() {
    for (let p = 0; p < parts; p++) yield await ctx.storage.download(exportsBucket, partPath(ctx, 0, p));
  }
  await ctx.storage.upload(exportsBucket, path, streamOf(chunks()), { contentType });
  return { path };
}

export async function writeRawPart(ctx: StepContext, part: number, data: string) {
  await ctx.storage.upload(exportsBucket, partPath(ctx, 0, part), new TextEncoder().encode(data));
}

export async function removeParts(ctx: StepContext, partsPerEntry: readonly number[]) {
  const paths = partsPerEntry.flatMap((count, e) => Array.from({ length: count }, (_, p) => partPath(ctx, e, p)));
  for (let i = 0; i < paths.length; i += 1000) await ctx.storage.remove(exportsBucket, paths.slice(i, i + 1000));
}

/** Time left for one more page: stop with this much to spare for writing the part and the checkpoint. */
export const stepReserveMs = 600;
