import { adminSql } from './db.ts';

/** Calendar dates as `YYYY-MM-DD` text, the way the Data API reads and writes `date` columns. */

/** `date` moved by `days` (negative for earlier). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Today in the organization's time zone, as the database counts it. */
export async function orgToday(orgId: string): Promise<string> {
  const [{ today }] = await adminSql`select private.org_today(${orgId})::text as today`;
  return today as string;
}
