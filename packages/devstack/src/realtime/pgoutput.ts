/**
 * A decoder for the messages of Postgres' built-in logical decoding plugin `pgoutput` (protocol
 * version 1), as the platform's Realtime reads them: relations, and the rows of each transaction
 * handed over whole at its commit, values as Postgres' text.
 */

export interface Relation {
  schema: string;
  table: string;
  columns: { name: string; typeOid: number; key: boolean }[];
}

export interface RowMessage {
  relation: Relation;
  type: 'INSERT' | 'UPDATE' | 'DELETE';
  /** The new row (insert, update); `undefined` for a TOASTed value the update left unchanged. */
  record: Record<string, string | null | undefined> | null;
  /** The old key or row (update with a changed key, delete). */
  old: Record<string, string | null | undefined> | null;
}

export interface Transaction {
  /** Commit time, ISO 8601. */
  committedAt: string;
  rows: RowMessage[];
}

const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);

class Reader {
  offset = 0;
  constructor(readonly data: Buffer) {}
  byte(): number {
    return this.data.readUInt8(this.offset++);
  }
  int16(): number {
    const value = this.data.readInt16BE(this.offset);
    this.offset += 2;
    return value;
  }
  int32(): number {
    const value = this.data.readInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  int64(): bigint {
    const value = this.data.readBigInt64BE(this.offset);
    this.offset += 8;
    return value;
  }
  string(): string {
    const end = this.data.indexOf(0, this.offset);
    const value = this.data.toString('utf8', this.offset, end);
    this.offset = end + 1;
    return value;
  }
  bytes(length: number): string {
    const value = this.data.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
}

const timestamp = (micros: bigint) => new Date(POSTGRES_EPOCH_MS + Number(micros / 1000n)).toISOString();

export class PgOutputDecoder {
  private readonly relations = new Map<number, Relation>();
  private pending: RowMessage[] = [];

  /** Decodes one message; returns a transaction when the message was its commit. */
  decode(message: Buffer): Transaction | undefined {
    const reader = new Reader(message);
    const tag = String.fromCharCode(reader.byte());
    switch (tag) {
      case 'B':
        this.pending = [];
        return undefined;
      case 'C': {
        reader.byte();
        reader.int64();
        reader.int64();
        const committed = { committedAt: timestamp(reader.int64()), rows: this.pending };
        this.pending = [];
        return committed;
      }
      case 'R': {
        const oid = reader.int32();
        const schema = reader.string() || 'pg_catalog';
        const table = reader.string();
        reader.byte();
        const count = reader.int16();
        const columns = Array.from({ length: count }, () => {
          const key = reader.byte() === 1;
          const name = reader.string();
          const typeOid = reader.int32();
          reader.int32();
          return { name, typeOid, key };
        });
        this.relations.set(oid, { schema, table, columns });
        return undefined;
      }
      case 'I':
      case 'U':
      case 'D':
        this.pending.push(this.row(tag, reader));
        return undefined;
      default:
        // Type, Origin, Truncate and logical messages carry nothing Realtime delivers.
        return undefined;
    }
  }

  private row(tag: 'I' | 'U' | 'D', reader: Reader): RowMessage {
    const relation = this.relations.get(reader.int32());
    if (!relation) throw new Error('pgoutput sent a row before its relation');
    let old: RowMessage['old'] = null;
    let kind = String.fromCharCode(reader.byte());
    if (kind === 'K' || kind === 'O') {
      old = this.tuple(relation, reader);
      if (tag === 'U') kind = String.fromCharCode(reader.byte());
    }
    const record = tag === 'D' ? null : this.tuple(relation, reader);
    return { relation, type: tag === 'I' ? 'INSERT' : tag === 'U' ? 'UPDATE' : 'DELETE', record, old };
  }

  private tuple(relation: Relation, reader: Reader): Record<string, string | null | undefined> {
    const count = reader.int16();
    const row: Record<string, string | null | undefined> = {};
    for (let i = 0; i < count; i++) {
      const name = relation.columns[i]?.name ?? `column${i}`;
      const kind = String.fromCharCode(reader.byte());
      row[name] = kind === 'n' ? null : kind === 'u' ? undefined : reader.bytes(reader.int32());
    }
    return row;
  }
}
