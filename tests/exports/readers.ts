import type { ExportTransaction, Overview, ZipEntry } from '@westwallet/shared/exports';
import { appendToEntry, finishEntry, startEntry, zipChunks } from '@westwallet/shared/exports';
import { asRole } from '../helpers/db.ts';

/**
 * The export readers (supabase/schemas/12_exports) called as the export jobs call them: in a
 * transaction as the member who asked (role `authenticated` and their claims), a page by key.
 */
export function asMember<T>(userId: string, fn: Parameters<typeof asRole<T>>[1]): Promise<T> {
  return asRole({ role: 'authenticated', sub: userId }, fn);
}

/** Every transaction the filters select, read page by page (keyset) as `userId`. */
export async function readTransactions(
  userId: string,
  orgId: string,
  filters: Record<string, unknown>,
  pageSize: number,
): Promise<ExportTransaction[][]> {
  const pages: ExportTransaction[][] = [];
  let after: { booked_on: string; reference: string } | null = null;
  for (;;) {
    const cursor: typeof after = after;
    const page: readonly ExportTransaction[] = await asMember(
      userId,
      (sql) =>
        sql<ExportTransaction[]>`
        select id, reference, booked_on::text, kind, amount_minor, currency, currency_exponent, fx_rate::text,
               base_amount_minor, base_currency, base_exponent, account, to_account, category, vendor, counterparty,
               description, notes, payment_method, tags, splits
        from private.export_transactions(${orgId}, ${sql.json(filters as never)}, ${cursor?.booked_on ?? null},
                                         ${cursor?.reference ?? null}, ${pageSize})`,
    );
    if (page.length === 0) return pages;
    pages.push([...page]);
    const last: ExportTransaction = page[page.length - 1];
    after = { booked_on: last.booked_on, reference: last.reference };
  }
}

export async function readOverview(userId: string, orgId: string): Promise<Overview> {
  const [row] = await asMember(userId, (sql) => sql`select private.export_overview(${orgId}) as overview`);
  return row.overview as Overview;
}

/**
 * A ZIP built the way the jobs build it: each entry written in pieces (parts kept here, in
 * Storage by the jobs), then copied together.
 */
export class PartZip {
  readonly entries: ZipEntry[] = [];
  private readonly parts: Uint8Array[][] = [];

  async add(name: string, pieces: readonly (string | Uint8Array)[], method: 0 | 8 = 8): Promise<ZipEntry> {
    let entry = await startEntry(name, method, new Date('2026-12-01T12:00:00Z'));
    const parts: Uint8Array[] = [];
    for (const piece of pieces) {
      const written = await appendToEntry(entry, typeof piece === 'string' ? new TextEncoder().encode(piece) : piece);
      entry = written.entry;
      parts.push(written.part);
    }
    const finished = await finishEntry(entry);
    if (finished.part) parts.push(finished.part);
    this.entries.push(finished.entry);
    this.parts.push(parts);
    return finished.entry;
  }

  async bytes(): Promise<Uint8Array> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of zipChunks(this.entries, async (e, p) => this.parts[e][p])) chunks.push(chunk);
    return Buffer.concat(chunks);
  }
}
