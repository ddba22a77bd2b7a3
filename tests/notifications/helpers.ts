import { adminSql } from '../helpers/db.ts';

/** What the reminder schedule does, at any instant, for the given organizations only. */
export async function runReminders(asOf: Date, orgId: string): Promise<number> {
  const [{ fired }] = await adminSql`select private.run_reminders(${asOf}, ${[orgId]}::uuid[]) as fired`;
  return fired as number;
}

/** The instant a wall clock in `zone` shows `time` on `date`. */
export async function localInstant(date: string, time: string, zone: string): Promise<Date> {
  const [{ at }] = await adminSql`select ((${date}::date + ${time}::time) at time zone ${zone}) as at`;
  return at as Date;
}

/** The reminder windows that fired for an item. */
export async function firedWindows(itemId: string) {
  return adminSql`
    select kind, lead_days, due_on::text from private.reminder_firings where item_id = ${itemId} order by fired_at`;
}

/** Tells users about one thing as a module's trigger would (private.notify), at `asOf`. */
export async function notify(
  kind: string,
  orgId: string,
  item: string,
  { userIds = null, asOf = new Date() }: { userIds?: string[] | null; asOf?: Date } = {},
): Promise<number> {
  const [{ told }] = await adminSql`
    select private.notify(${kind}, ${orgId}, ${item}, '{}'::jsonb, '{}'::jsonb, ${userIds}::uuid[], ${asOf}) as told`;
  return told as number;
}
