import type postgres from 'postgres';
import { actAs, rolledBack } from './authorization.ts';
import type { Claims } from './tokens.ts';

/**
 * Postgres Changes as the platform delivers them (realtime.apply_rls): a change of a table in the
 * `supabase_realtime` publication reaches a subscription whose schema, table, event and filter
 * match, if the subscriber's role may see the row under row-level security (checked by primary
 * key after commit, like the platform's prepared statement). Deletes cannot be checked (the row
 * is gone), so as on the platform they reach every matching subscriber, with only the primary key
 * in `old_record` when the table has row-level security.
 */

export interface ChangeParams {
  event: string;
  schema: string;
  table?: string;
  filter?: string;
}

type Operator = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in';
const OPERATORS = new Set<string>(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in']);

interface Condition {
  column: string;
  operator: Operator;
  negated: boolean;
  values: string[];
}

export interface Subscription {
  id: number;
  params: ChangeParams;
  conditions: Condition[];
}

/** One row change read from the WAL, values as Postgres' text (the client converts them by type). */
export interface RowChange {
  schema: string;
  table: string;
  type: 'INSERT' | 'UPDATE' | 'DELETE';
  columns: { name: string; type: string }[];
  keys: string[];
  record: Record<string, string | null> | null;
  oldRecord: Record<string, string | null> | null;
  /** Casts for the primary key check: column name to SQL type. */
  casts: Record<string, string>;
  commitTimestamp: string;
}

export class InvalidSubscription extends Error {}

/** Splits `a=eq.1,b=in.(x,"y,z")` on commas outside quotes and parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && char === '(') depth++;
    else if (!quoted && char === ')') depth--;
    if (char === ',' && !quoted && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

const unquote = (value: string) =>
  value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1).replaceAll('\\"', '"') : value;

function parseFilter(filter: string): Condition[] {
  return splitTopLevel(filter).map((part) => {
    const match = /^([^=]+)=(not\.)?([a-z]+)\.(.*)$/s.exec(part.trim());
    if (!match || !OPERATORS.has(match[3] as string)) {
      throw new InvalidSubscription(`Error parsing \`filter\` params: ${part}`);
    }
    const [, column, not, operator, raw] = match as unknown as [string, string, string | undefined, Operator, string];
    let values = [unquote(raw)];
    if (operator === 'in') {
      if (!/^\(.*\)$/s.test(raw)) throw new InvalidSubscription(`Error parsing \`filter\` params: ${part}`);
      values = splitTopLevel(raw.slice(1, -1)).map((v) => unquote(v.trim()));
    }
    return { column: column.trim(), operator, negated: Boolean(not), values };
  });
}

/** A stable id for a subscription's params, as the platform hashes them. */
export function paramsId(params: ChangeParams): number {
  let hash = 0x811c9dc5;
  for (const char of JSON.stringify([params.event, params.schema, params.table ?? '', params.filter ?? ''])) {
    hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  }
  return hash % 100_000_000;
}

export function parseSubscriptions(raw: unknown): Subscription[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new InvalidSubscription('postgres_changes must be a list');
  return raw
    .filter((entry) => entry !== null)
    .map((entry) => {
      const { event, schema, table, filter } = (entry ?? {}) as Record<string, unknown>;
      if (typeof event !== 'string' || !['*', 'INSERT', 'UPDATE', 'DELETE'].includes(event.toUpperCase())) {
        throw new InvalidSubscription('postgres_changes needs an event of *, INSERT, UPDATE or DELETE');
      }
      if (typeof schema !== 'string' || (table !== undefined && typeof table !== 'string')) {
        throw new InvalidSubscription('postgres_changes needs a schema (and optionally a table)');
      }
      if (filter !== undefined && typeof filter !== 'string') throw new InvalidSubscription('filter must be a string');
      const params: ChangeParams = { event, schema, table, filter };
      return { id: paramsId(params), params, conditions: filter ? parseFilter(filter) : [] };
    });
}

function compare(a: string, b: string): number {
  const x = Number(a);
  const y = Number(b);
  if (a.trim() !== '' && b.trim() !== '' && Number.isFinite(x) && Number.isFinite(y)) return x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

function holds(condition: Condition, value: string | null | undefined): boolean {
  if (value === null || value === undefined) return false;
  const [first = ''] = condition.values;
  const result = (() => {
    switch (condition.operator) {
      case 'eq':
        return compare(value, first) === 0;
      case 'neq':
        return compare(value, first) !== 0;
      case 'lt':
        return compare(value, first) < 0;
      case 'lte':
        return compare(value, first) <= 0;
      case 'gt':
        return compare(value, first) > 0;
      case 'gte':
        return compare(value, first) >= 0;
      case 'in':
        return condition.values.some((v) => compare(value, v) === 0);
    }
  })();
  return condition.negated ? !result : result;
}

export function matches(subscription: Subscription, change: RowChange): boolean {
  const { params, conditions } = subscription;
  if (params.schema !== '*' && params.schema !== change.schema) return false;
  if (params.table && params.table !== '*' && params.table !== change.table) return false;
  if (params.event !== '*' && params.event.toUpperCase() !== change.type) return false;
  const row = change.type === 'DELETE' ? change.oldRecord : change.record;
  return conditions.every((condition) => holds(condition, row?.[condition.column]));
}

/** Whether the subscriber's role and claims may see the changed row (false when the check fails). */
export async function visibleTo(
  sql: postgres.Sql,
  change: RowChange,
  claims: Claims,
  rowSecurity: boolean,
): Promise<boolean> {
  if (change.type === 'DELETE' || !rowSecurity || change.keys.length === 0) return true;
  const record = change.record ?? {};
  const where = change.keys.map((key, i) => `"${key.replaceAll('"', '""')}" = $${i + 1}::${change.casts[key]}`);
  const table = `"${change.schema.replaceAll('"', '""')}"."${change.table.replaceAll('"', '""')}"`;
  return rolledBack(sql, async (tx) => {
    await actAs(tx, '', claims);
    const [row] = await tx.unsafe<{ visible: boolean }[]>(
      `select exists(select 1 from ${table} where ${where.join(' and ')}) as visible`,
      change.keys.map((key) => record[key] ?? null),
    );
    return row?.visible === true;
  }).catch(() => false);
}

/** The `data` of a postgres_changes message, as realtime.apply_rls builds it. */
export function changeData(change: RowChange, rowSecurity: boolean): Record<string, unknown> {
  const data: Record<string, unknown> = {
    schema: change.schema,
    table: change.table,
    commit_timestamp: change.commitTimestamp,
    type: change.type,
    columns: change.columns,
    errors: null,
  };
  if (change.type !== 'DELETE') data.record = change.record ?? {};
  if (change.type === 'UPDATE') data.old_record = change.oldRecord ?? {};
  if (change.type === 'DELETE') {
    const old = change.oldRecord ?? {};
    data.old_record = rowSecurity ? Object.fromEntries(change.keys.map((key) => [key, old[key] ?? null])) : old;
  }
  return data;
}
