import type postgres from 'postgres';
import type { Log } from '../log.ts';
import type { Transaction } from './pgoutput.ts';
import { changeData, matches, type RowChange, type Subscription, visibleTo } from './postgres-changes.ts';
import { type PresenceDiff, TopicPresence } from './presence.ts';
import { encodeOutbound, type Outbound, type Vsn } from './protocol.ts';

/** What the hub needs of a joined channel (channel.ts). */
export interface Member {
  /** `realtime:<sub topic>`, as the client named it. */
  readonly topic: string;
  readonly key: string;
  readonly vsn: Vsn;
  readonly claims: Record<string, unknown> & { role: string };
  readonly subscriptions: Subscription[];
  mayReadBroadcast(): boolean;
  mayReadPresence(): boolean;
  send(data: string | Buffer): void;
}

/** The longest topic or event a binary frame carries, in bytes. */
export const MAX_NAME_BYTES = 255;

/** Channels of private and public topics never share messages, as on the platform. */
export const topicKey = (subTopic: string, isPrivate: boolean) => `${isPrivate ? 'private' : 'public'}:${subTopic}`;

/**
 * Everything joined, by topic: fans broadcasts and presence diffs out to the channels of a topic,
 * and committed transactions from the WAL to database broadcasts and Postgres Changes.
 */
export class Hub {
  private readonly topics = new Map<string, Set<Member>>();
  private readonly presences = new Map<string, TopicPresence>();
  private readonly changeMembers = new Set<Member>();
  private readonly rowSecurity = new Map<string, Promise<boolean>>();
  private readonly typeNames = new Map<number, Promise<{ name: string; cast: string }>>();
  private changes = Promise.resolve();

  constructor(
    private readonly sql: postgres.Sql,
    private readonly log: Log,
  ) {}

  add(member: Member): void {
    const members = this.topics.get(member.key) ?? new Set<Member>();
    this.topics.set(member.key, members);
    members.add(member);
    if (member.subscriptions.length > 0) this.changeMembers.add(member);
  }

  /** Removes a channel, and its presence, which its topic then sees leave. */
  remove(member: Member): void {
    this.untrack(member);
    this.changeMembers.delete(member);
    const members = this.topics.get(member.key);
    members?.delete(member);
    if (members?.size === 0) this.topics.delete(member.key);
  }

  /** Sends a message to the channels of a topic that may read broadcasts, but `except`. */
  publish(key: string, message: Outbound, except?: Member): void {
    const members = this.topics.get(key);
    if (!members) return;
    const encoded = new Map<Vsn, string | Buffer | undefined>();
    for (const member of members) {
      if (member === except || !member.mayReadBroadcast()) continue;
      if (!encoded.has(member.vsn)) {
        encoded.set(member.vsn, encodeOutbound(member.vsn, { ...message, topic: member.topic }));
      }
      const data = encoded.get(member.vsn);
      if (data !== undefined) member.send(data);
    }
  }

  presenceState(member: Member) {
    return this.presences.get(member.key)?.state() ?? {};
  }

  track(member: Member, presenceKey: string, payload: Record<string, unknown>): void {
    const presence = this.presences.get(member.key) ?? new TopicPresence();
    this.presences.set(member.key, presence);
    this.sendDiff(member.key, presence.track(member, presenceKey, payload));
  }

  untrack(member: Member): void {
    const presence = this.presences.get(member.key);
    const diff = presence?.untrack(member);
    if (presence?.size === 0) this.presences.delete(member.key);
    if (diff) this.sendDiff(member.key, diff);
  }

  private sendDiff(key: string, diff: PresenceDiff): void {
    for (const member of this.topics.get(key) ?? []) {
      if (!member.mayReadPresence()) continue;
      member.send(
        encodeOutbound(member.vsn, {
          kind: 'json',
          topic: member.topic,
          event: 'presence_diff',
          payload: diff,
        }) as string,
      );
    }
  }

  /** A committed transaction: its realtime.messages inserts are database broadcasts, the rest changes. */
  onTransaction(transaction: Transaction): void {
    const changes: Transaction['rows'] = [];
    for (const row of transaction.rows) {
      const { schema, table } = row.relation;
      if (schema === 'realtime' && table === 'messages') {
        if (row.type === 'INSERT' && row.record) this.broadcastMessage(row.record);
      } else changes.push(row);
    }
    if (changes.length === 0 || this.changeMembers.size === 0) return;
    // One transaction after another, so each subscriber sees changes in commit order.
    this.changes = this.changes
      .then(() => this.deliverChanges({ committedAt: transaction.committedAt, rows: changes }))
      .catch((error) => this.log.error('could not deliver Postgres Changes', error));
  }

  /** A realtime.messages row, delivered as the platform's replication handler does. */
  private broadcastMessage(record: Record<string, string | null | undefined>): void {
    const { topic, event, payload, id } = record;
    if (!topic || !event || payload === null || payload === undefined) return;
    // Frames carry topic and event in at most 255 bytes; the platform cannot send longer ones either.
    if (Buffer.byteLength(topic) > MAX_NAME_BYTES - 'realtime:'.length || Buffer.byteLength(event) > MAX_NAME_BYTES) {
      return;
    }
    this.publish(topicKey(topic, record.private === 't'), {
      kind: 'user',
      topic,
      broadcast: { event, encoding: 'json', data: Buffer.from(payload), metadata: JSON.stringify({ id }) },
    });
  }

  private async deliverChanges(transaction: Transaction): Promise<void> {
    for (const row of transaction.rows) {
      const { schema, table, columns } = row.relation;
      const types = await Promise.all(columns.map((column) => this.typeName(column.typeOid)));
      const change: RowChange = {
        schema,
        table,
        type: row.type,
        columns: columns.map((column, i) => ({ name: column.name, type: types[i]?.name ?? 'text' })),
        keys: columns.filter((column) => column.key).map((column) => column.name),
        record: row.record as RowChange['record'],
        oldRecord: (row.old ?? null) as RowChange['oldRecord'],
        casts: Object.fromEntries(columns.map((column, i) => [column.name, types[i]?.cast ?? 'text'])),
        commitTimestamp: transaction.committedAt,
      };
      if (change.type === 'UPDATE' && !change.oldRecord && change.record) {
        // The key did not change, so pgoutput sent no old key: it is the new row's.
        change.oldRecord = Object.fromEntries(change.keys.map((key) => [key, change.record?.[key] ?? null]));
      }
      const rls = await this.hasRowSecurity(schema, table);
      const data = changeData(change, rls);
      for (const member of this.changeMembers) {
        const ids = member.subscriptions.filter((s) => matches(s, change)).map((s) => s.id);
        if (ids.length === 0) continue;
        if (!(await visibleTo(this.sql, change, member.claims, rls))) continue;
        member.send(
          encodeOutbound(member.vsn, {
            kind: 'json',
            topic: member.topic,
            event: 'postgres_changes',
            payload: { ids, data },
          }) as string,
        );
      }
    }
  }

  private hasRowSecurity(schema: string, table: string): Promise<boolean> {
    const key = `${schema}.${table}`;
    let known = this.rowSecurity.get(key);
    if (!known) {
      known = this.sql<{ rls: boolean }[]>`
        select c.relrowsecurity as rls from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = ${schema} and c.relname = ${table}`.then(([row]) => row?.rls ?? true);
      this.rowSecurity.set(key, known);
      // Row-level security can be switched on later; ask again after a while.
      setTimeout(() => this.rowSecurity.delete(key), 5000).unref();
    }
    return known;
  }

  private typeName(oid: number): Promise<{ name: string; cast: string }> {
    let known = this.typeNames.get(oid);
    if (!known) {
      known = this.sql<{ name: string; cast: string }[]>`
        select typname as name, format_type(oid, null) as cast from pg_type where oid = ${oid}`.then(
        ([row]) => row ?? { name: 'text', cast: 'text' },
      );
      this.typeNames.set(oid, known);
    }
    return known;
  }
}
