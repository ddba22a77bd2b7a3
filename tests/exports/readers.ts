import type { ExportTransaction, Overview, ZipEntry } from '@westwallet/shared/exports';
import {
  appendToEntry,
  centralDirectory,
  entryHead,
  entryTail,
  finishEntry,
  startEntry,
} from '@westwallet/shared/exports';
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
 * A ZIP built the way the jobs build it: front to back, each entry written in pieces with its
 * sizes in a data descriptor after them, then the central directory.
 */
export class PartZip {
  readonly entries: ZipEntry[] = [];
  private readonly chunks: Uint8Array[] = [];
  private length = 0;

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }

  async add(name: string, pieces: readonly (string | Uint8Array)[], method: 0 | 8 = 8): Promise<ZipEntry> {
    let entry: ZipEntry = {
      ...(await startEntry(name, method, new Date('2026-12-01T12:00:00Z'))),
      offset: this.length,
      described: true,
    };
    this.push(entryHead(entry));
    for (const piece of pieces) {
      const written = await appendToEntry(entry, typeof piece === 'string' ? new TextEncoder().encode(piece) : piece);
      entry = written.entry;
      this.push(written.part);
    }
    const finished = await finishEntry(entry);
    if (finished.part) this.push(finished.part);
    this.push(entryTail(finished.entry));
    this.entries.push(finished.entry);
    return finished.entry;
  }

  bytes(): Uint8Array {
    return Buffer.concat([...this.chunks, centralDirectory(this.entries, this.length)]);
  }
}
