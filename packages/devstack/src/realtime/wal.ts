import type { Writable } from 'node:stream';
import postgres from 'postgres';
import type { Log } from '../log.ts';
import { PgOutputDecoder, type Transaction } from './pgoutput.ts';

/**
 * The database side of Realtime's deliveries: committed transactions read from the WAL through
 * logical replication (a temporary `pgoutput` slot on the publications for realtime.messages and
 * `supabase_realtime`), as the platform reads them. Where the server cannot replicate (a
 * DATABASE_URL server without `wal_level = logical` or the replication privilege), database
 * broadcasts come instead from a trigger's NOTIFY, which Postgres delivers at commit in commit
 * order; Postgres Changes then need logical replication and stay silent.
 */

/** The publication the platform's Realtime creates for realtime.messages. */
const MESSAGES_PUBLICATION = 'supabase_realtime_messages_publication';
const CHANGES_PUBLICATION = 'supabase_realtime';
const NOTIFY_CHANNEL = 'westwallet_realtime_messages';
const RECONNECT_MS = 500;

export interface WalSource {
  mode: 'replication' | 'notify';
  close(): Promise<void>;
}

export type TransactionHandler = (transaction: Transaction) => void;

export async function startWalSource(options: {
  dbUrl: string;
  sql: postgres.Sql;
  onTransaction: TransactionHandler;
  log: Log;
  /** false: take the fallback even where replication works (its tests). */
  replication?: boolean;
}): Promise<WalSource> {
  const { sql, log, replication = true } = options;
  const [{ wal_level: walLevel }] = await sql<
    { wal_level: string }[]
  >`select current_setting('wal_level') as wal_level`;
  if (replication && walLevel === 'logical') {
    const replication = new Replication(options.dbUrl, () => createPublication(sql), options.onTransaction, log);
    if (await replication.start()) return { mode: 'replication', close: () => replication.close() };
  }
  log.info(`no logical replication (wal_level = ${walLevel}): database broadcasts come by NOTIFY`);
  // The trigger stays only while a server listens: see close().
  return startNotifySource(sql, options.onTransaction, log);
}

/**
 * The publication of realtime.messages, as the platform's Realtime creates it. Made again on each
 * (re)connection: a reset database (`npm run db:reset` under a running stack) has lost it.
 */
async function createPublication(sql: postgres.Sql): Promise<void> {
  await sql.unsafe(`
    do $$
    begin
      if not exists (select from pg_publication where pubname = '${MESSAGES_PUBLICATION}') then
        create publication ${MESSAGES_PUBLICATION} for table realtime.messages with (publish = 'insert');
      end if;
    end $$`);
}

class Replication {
  private connection: postgres.Sql | undefined;
  private stream: Writable | undefined;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dbUrl: string,
    private readonly prepare: () => Promise<void>,
    private readonly onTransaction: TransactionHandler,
    private readonly log: Log,
  ) {}

  /** Connects and streams; false if this server refuses replication. Reconnects by itself after. */
  async start(): Promise<boolean> {
    try {
      await this.connect();
      return true;
    } catch (error) {
      this.log.info(`logical replication unavailable: ${(error as Error).message}`);
      await this.connection?.end({ timeout: 0 }).catch(() => {});
      return false;
    }
  }

  private async connect(): Promise<void> {
    await this.prepare();
    const connection = postgres(this.dbUrl, {
      max: 1,
      fetch_types: false,
      idle_timeout: undefined,
      max_lifetime: null,
      onnotice: () => {},
      connection: { application_name: 'westwallet-realtime', replication: 'database' } as Record<string, string>,
    });
    this.connection = connection;
    const slot = `westwallet_realtime_${process.pid}_${Date.now().toString(36)}`;
    await connection.unsafe(`CREATE_REPLICATION_SLOT ${slot} TEMPORARY LOGICAL pgoutput NOEXPORT_SNAPSHOT`);
    const stream = await connection
      .unsafe(
        `START_REPLICATION SLOT ${slot} LOGICAL 0/0 (proto_version '1', publication_names '${MESSAGES_PUBLICATION},${CHANGES_PUBLICATION}')`,
      )
      .writable();
    this.stream = stream;
    const decoder = new PgOutputDecoder();
    let lsn = 0n;
    const acknowledge = () => {
      const reply = Buffer.alloc(34);
      reply.write('r', 0);
      for (const at of [1, 9, 17]) reply.writeBigInt64BE(lsn, at);
      reply.writeBigInt64BE(BigInt(Date.now() - Date.UTC(2000, 0, 1)) * 1000n, 25);
      stream.write(reply);
    };
    stream.on('data', (data: Buffer) => {
      try {
        if (data[0] === 0x77) {
          lsn = data.readBigInt64BE(9);
          const transaction = decoder.decode(data.subarray(25));
          if (transaction && transaction.rows.length > 0) this.onTransaction(transaction);
        } else if (data[0] === 0x6b && data[17]) {
          acknowledge();
        }
      } catch (error) {
        this.log.error('could not decode a replication message', error);
      }
    });
    stream.on('error', () => {});
    stream.on('close', () => this.reconnectLater());
  }

  private reconnectLater(): void {
    if (this.closed) return;
    const old = this.connection;
    this.connection = undefined;
    old?.end({ timeout: 0 }).catch(() => {});
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.connect().catch(() => this.reconnectLater());
    }, RECONNECT_MS);
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    // Ending the stream sends CopyDone, which the walsender answers by ending the replication;
    // ending the connection under an open stream would send CopyFail, which a walsender takes
    // for an invalid standby message and logs as FATAL.
    const stream = this.stream;
    if (stream && !stream.destroyed) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        stream.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        stream.end();
      });
    }
    await this.connection?.end({ timeout: 0 }).catch(() => {});
  }
}

/**
 * The fallback: an AFTER INSERT trigger on realtime.messages notifies the id; the rows are read
 * one notification after another, so they go out in commit order, each once. Rows committed while
 * the listening connection is down are not delivered (NOTIFY is not durable), as the docs say.
 */
async function startNotifySource(sql: postgres.Sql, onTransaction: TransactionHandler, log: Log): Promise<WalSource> {
  const createTrigger = () =>
    sql.unsafe(`
    create or replace function realtime.westwallet_notify_message() returns trigger
    language plpgsql set search_path = '' as $$
    begin
      perform pg_notify('${NOTIFY_CHANNEL}', new.id::text);
      return null;
    end $$;
    create or replace trigger westwallet_notify_message after insert on realtime.messages
      for each row execute function realtime.westwallet_notify_message();`);
  await createTrigger();
  let listening = false;
  let queue = Promise.resolve();
  const listener = await sql.listen(
    NOTIFY_CHANNEL,
    (id) => {
      queue = queue
        .then(async () => {
          const [row] = await sql<Record<string, string | null>[]>`
          select id::text, topic, event, case when private then 't' else 'f' end as private, payload::text
          from realtime.messages where id = ${id}::uuid`;
          if (!row) return;
          const relation = {
            schema: 'realtime',
            table: 'messages',
            columns: Object.keys(row).map((name) => ({ name, typeOid: 25, key: name === 'id' })),
          };
          onTransaction({
            committedAt: new Date().toISOString(),
            rows: [{ relation, type: 'INSERT', record: row, old: null }],
          });
        })
        .catch((error) => log.error(`could not read the broadcast ${id}`, error));
    },
    () => {
      // Made again when the listener reconnects: a reset database has lost it.
      if (listening) createTrigger().catch((error) => log.error('could not create the NOTIFY trigger', error));
      listening = true;
    },
  );
  return {
    mode: 'notify',
    close: async () => {
      await listener.unlisten();
      await sql.unsafe('drop trigger if exists westwallet_notify_message on realtime.messages');
    },
  };
}
