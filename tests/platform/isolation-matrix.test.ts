import { randomUUID } from 'node:crypto';
import type { PostgrestError } from '@supabase/supabase-js';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { anonClient, serviceClient, signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import {
  addMember,
  createOrganization,
  invite,
  type Organization,
  personalOrg,
  untyped,
} from '../helpers/organizations.ts';
import type { ExposedObject } from '../setup/global-setup.ts';

/**
 * The tenant-isolation matrix. Every case is generated from the catalog as the migrations left
 * it (`exposedObjects`, taken before any suite runs), so a table, view or function created in
 * `public` tomorrow is covered without editing this file: through the Data API, anon, a user of
 * another organization (B), and A's own viewer and member try to read and change what they must
 * not, and A's rows stay as they were (checked by a fingerprint of the rows, taken as superuser
 * before and after). The catalog rules the same objects follow are in catalog-rules.test.ts.
 *
 * One file on purpose: every case reads the rows the setup below plants for every table, and
 * splitting the cases would plant them once per file.
 */

const exposed = inject('exposedObjects');
/** it.each over catalog objects, each case named by the object (`public.tags: ...`). */
const each = <T extends ExposedObject>(objects: T[]) => it.each(objects.map((o): [string, T] => [o.label, o]));
const oids = exposed.map((o) => o.oid);
type Row = Record<string, unknown>;

/** A column or argument; `labels` are an enum type's, in order (null for other types). */
type Typed = { name: string; type: string; labels: string[] | null };

interface Column extends Typed {
  /** Not null, no default, not generated: an insert must name it. */
  required: boolean;
  generated: boolean;
  pk: boolean;
  /** For a foreign key column, the referenced column; `tenant`: its table has org_id. */
  ref: { oid: number; table: string; column: string; tenant: boolean } | null;
}

interface Relation extends ExposedObject {
  columns: Column[];
  /** The column saying whose a row is: org_id, id for the root (organizations), user_id, or ''. */
  owner: string;
  isRecord: boolean;
}

interface Fn extends ExposedObject {
  granted: boolean;
  /** How many of the last arguments have defaults. */
  defaults: number;
  args: Typed[];
}

const columns = await adminSql<(Column & { oid: number })[]>`
  select c.oid::int, a.attname as name, format_type(a.atttypid, null) as type,
         (select array_agg(e.enumlabel order by e.enumsortorder) from pg_enum e where e.enumtypid = a.atttypid) as labels,
         a.attnotnull and not a.atthasdef and a.attidentity = '' and a.attgenerated = '' as required,
         a.attidentity <> '' or a.attgenerated <> '' as generated,
         exists (select from pg_index i where i.indrelid = c.oid and i.indisprimary and i.indkey[0] = a.attnum) as pk,
         (select json_build_object('oid', k.confrelid::int, 'table', k.confrelid::regclass::text, 'column', fa.attname,
                   'tenant', exists (select from pg_attribute o where o.attrelid = k.confrelid and o.attname = 'org_id'))
          from pg_constraint k
          join pg_attribute fa on fa.attrelid = k.confrelid and fa.attnum = k.confkey[array_position(k.conkey, a.attnum)]
          where k.conrelid = c.oid and k.contype = 'f' and a.attnum = any (k.conkey) and a.attname <> 'org_id'
          limit 1) as ref
  from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
  where c.oid::int = any (${oids}::int[])
  order by c.oid, a.attnum`;
const recordTables = (await adminSql`select table_name from private.tracked_tables where is_record`).map(
  (r) => r.table_name as string,
);
const routines = await adminSql<(Omit<Fn, keyof ExposedObject> & { oid: number })[]>`
  select p.oid::int, p.pronargdefaults as defaults, has_function_privilege('authenticated', p.oid, 'EXECUTE') as granted,
         coalesce(json_agg(json_build_object('name', p.proargnames[a.n], 'type', format_type(a.type, null),
           'labels', (select array_agg(e.enumlabel order by e.enumsortorder) from pg_enum e where e.enumtypid = a.type))
           order by a.n) filter (where a.n is not null), '[]') as args
  from pg_proc p
  left join lateral unnest(coalesce(p.proallargtypes, p.proargtypes::oid[])) with ordinality as a (type, n)
    on coalesce(p.proargmodes[a.n], 'i') in ('i', 'b', 'v')
  where p.oid::int = any (${oids}::int[])
  group by p.oid`;

const functions = exposed.flatMap((o): Fn[] => routines.filter((r) => r.oid === o.oid).map((r) => ({ ...o, ...r })));
const relations = exposed
  .filter((o) => o.kind !== 'function')
  .map((o): Relation => {
    const own = columns.filter((c) => c.oid === o.oid);
    const has = (name: string) => own.some((c) => c.name === name);
    const owner = o.name === 'organizations' ? 'id' : has('org_id') ? 'org_id' : has('user_id') ? 'user_id' : '';
    return { ...o, columns: own, owner, isRecord: recordTables.includes(o.name) };
  });
/** Relations whose rows belong to an organization or a user: each is probed for leaks. */
const owned = relations.filter((r) => r.owner);
const ownedTables = owned.filter((r) => r.kind === 'table' || r.kind === 'partitioned table');
const orgTables = ownedTables.filter((t) => t.owner !== 'user_id');
/** Record tables, each after those its required foreign keys point at, so that they find a row. */
const depth = (t: Relation): number =>
  Math.max(0, ...t.columns.map((c) => (c.required && c.ref && c.ref.oid !== t.oid ? 1 + depthOf(c.ref.oid) : 0)));
const depthOf = (oid: number) => {
  const t = relations.find((r) => r.oid === oid);
  return t?.isRecord ? depth(t) : 0;
};
const records = ownedTables.filter((t) => t.isRecord).sort((x, y) => depth(x) - depth(y));
/** Any owned table, after the owned tables its required foreign keys point at (filled in that order). */
const fillDepth = (t: Relation, seen = new Set<number>()): number =>
  Math.max(
    0,
    ...t.columns.map((c) => {
      const target =
        c.required && c.ref && c.ref.oid !== t.oid && !seen.has(c.ref.oid) ? ownedById(c.ref.oid) : undefined;
      return target ? 1 + fillDepth(target, new Set([...seen, t.oid])) : 0;
    }),
  );
const ownedById = (oid: number) => ownedTables.find((r) => r.oid === oid);

const system = 'id org_id reference created_at created_by updated_at updated_by deleted_at deleted_by'.split(' ');
const textual = /^(text|character varying|character|citext)\b/;
const numeric = /^(smallint|integer|bigint|numeric|real|double precision)\b/;
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
const keyOf = (t: Relation) => t.columns.find((c) => c.pk)?.name ?? 'id';
let counter = 0;

/** A simple valid value of a type. Text is 'x' numbered, so that unique constraints let it in. */
function sample({ type, labels }: Pick<Typed, 'type' | 'labels'>): unknown {
  if (labels) return labels[0];
  // Before the scalar types, which an array type's name begins with (text[]).
  if (type.endsWith('[]')) return [];
  if (textual.test(type)) return `x${++counter}`;
  if (type === 'uuid') return randomUUID();
  if (numeric.test(type)) return 1;
  if (type === 'date') return new Date(Date.now() - ++counter * 86_400_000).toISOString().slice(0, 10);
  if (type.startsWith('timestamp')) return new Date().toISOString();
  if (type === 'boolean') return false;
  if (type === 'json' || type === 'jsonb') return {};
  if (type === 'interval') return '1 day';
  return 'x';
}

async function inBaseCurrency(orgId: string): Promise<Row> {
  const [org] = await adminSql`select base_currency from public.organizations where id = ${orgId}`;
  return { currency: org.base_currency };
}

/**
 * Column values `sample` cannot make, by table: those a check constraint refuses, or, given the
 * organization, rows a trigger requires to exist. Keep it tiny.
 */
const payloadOverrides: Record<string, Row | ((orgId: string) => Promise<Row>)> = {
  // Amounts in the base currency need no exchange rate.
  transactions: inBaseCurrency,
  vehicle_events: inBaseCurrency,
  // A period or an end date is required.
  warranties: { warranty_months: 24 },
  // At least one event type; disabled, and a delivery already settled, so that the worker never
  // changes A's rows while a test compares them before and after.
  webhook_endpoints: { event_types: ['*'], enabled: false },
  webhook_deliveries: { status: 'dead' },
  // A rule needs a valid condition and an action (RULE_INVALID otherwise).
  category_rules: { conditions: [{ field: 'payee', op: 'contains', value: 'matrix' }], set_notes: 'matrix' },
  // A message's idempotency key is 8 to 120 characters.
  chat_messages: { idempotency_key: 'matrix-message' },
  // An attachment needs a file uploaded into the organization's folder and a live record of it.
  attachments: async (orgId) => {
    const objectPath = `${orgId}/matrix-${randomUUID()}.txt`;
    const { error } = await serviceClient()
      .storage.from('attachments')
      .upload(objectPath, new Blob(['matrix'], { type: 'text/plain' }));
    if (error) throw new Error(`upload for the attachments payload failed: ${error.message}`);
    const [tag] = await adminSql`select id from public.tags where org_id = ${orgId} and deleted_at is null limit 1`;
    const recordId =
      tag?.id ??
      (await adminSql`insert into public.tags (org_id, name) values (${orgId}, 'matrix') returning id`)[0].id;
    return { object_path: objectPath, record_table: 'tags', record_id: recordId };
  },
};

/** A row of `t` belonging to `scope`: its required columns, foreign keys pointing at existing rows. */
async function payload(t: Relation, scope: string): Promise<Row> {
  const row: Row = { [t.owner]: scope };
  for (const c of t.columns.filter((c) => c.required && !(c.name in row) && !system.includes(c.name))) {
    if (!c.ref) {
      row[c.name] = sample(c);
      continue;
    }
    // A user of an organization's row is its owner: any first user or membership could be the
    // very viewer a test expects to be refused, and a user may change their own rows.
    const ownerOfOrg =
      t.owner === 'org_id' &&
      ((c.ref.table === 'auth.users' && c.ref.column === 'id') ||
        (c.ref.table.replace(/^public\./, '') === 'memberships' && c.ref.column === 'user_id'));
    const where = c.ref.tenant ? 'where org_id = $1' : '';
    // A live record where there is one: triggers may refuse to point at the trash.
    const live = recordTables.includes(c.ref.table.replace(/^public\./, '')) ? 'order by deleted_at nulls first' : '';
    const query = ownerOfOrg
      ? `select user_id as v from public.memberships where org_id = $1 and role = 'owner' limit 1`
      : `select ${ident(c.ref.column)} as v from ${c.ref.table} ${where} ${live} limit 1`;
    const [found] = await adminSql.unsafe(query, c.ref.tenant || ownerOfOrg ? [scope] : []);
    row[c.name] = found?.v ?? sample(c);
  }
  const overrides = payloadOverrides[t.name];
  return { ...row, ...(typeof overrides === 'function' ? await overrides(scope) : overrides) };
}

/** A change to one ordinary column of `row`: another enum label, the other boolean, new text. */
function patchFor(t: Relation, row: Row): Row {
  const rank = (c: Column) =>
    c.labels ? 0 : c.type === 'boolean' ? 1 : numeric.test(c.type) ? 2 : textual.test(c.type) ? 3 : 4;
  const [column] = t.columns
    .filter((c) => !system.includes(c.name) && !c.pk && !c.ref && !c.generated && c.name !== t.owner)
    .sort((x, y) => rank(x) - rank(y));
  if (!column) return { [t.owner]: row[t.owner] };
  const now = row[column.name];
  if (column.labels) return { [column.name]: column.labels.find((label) => label !== now) };
  if (column.type === 'boolean') return { [column.name]: !now };
  if (numeric.test(column.type)) return { [column.name]: Number(now ?? 0) + 1 };
  return { [column.name]: textual.test(column.type) ? `changed-${randomUUID().slice(0, 8)}` : sample(column) };
}

/** An organization and one of its users: the scope of tenant tables and of user-owned ones. */
type Party = { orgId: string; userId: string };
const scopeOf = (t: Relation, party: Party) => (t.owner === 'user_id' ? party.userId : party.orgId);

/** Count and digest of a scope's rows in `t`, read as superuser: any change to them shows. */
async function fingerprint(t: Relation, scope: string) {
  const [row] = await adminSql.unsafe(
    `select count(*)::int as rows, md5(coalesce(string_agg(r::text, '|' order by r::text), '')) as digest
     from ${t.label} r where ${ident(t.owner)} = $1`,
    [scope],
  );
  return row;
}

/** A live row of the scope in `t`, to aim at by key. */
async function firstRow(t: Relation, scope: string): Promise<Row | undefined> {
  const live = t.columns.some((c) => c.name === 'deleted_at') ? 'and deleted_at is null' : '';
  const [row] = await adminSql.unsafe(
    `select * from ${t.label} where ${ident(t.owner)} = $1 ${live} order by ${ident(keyOf(t))} limit 1`,
    [scope],
  );
  return row;
}

/** Where an organization's reference sequence stands (private.reference_sequence names it). */
async function referenceCounter(orgId: string): Promise<string> {
  const [{ name }] = await adminSql`select private.reference_sequence(${orgId}) as name`;
  const [{ state }] = await adminSql.unsafe(`select format('%s/%s', last_value, is_called) as state from ${name}`);
  return state;
}

type ApiResult = { data: unknown; error: PostgrestError | null };

/**
 * Runs an attempt that must change none of the scopes' rows in `t`: it fails (always, with
 * `mustFail`) or returns no row, and the fingerprints afterwards are those from before.
 */
async function changesNothing(t: Relation, scopes: string[], attempt: () => PromiseLike<ApiResult>, mustFail = false) {
  const before = await Promise.all(scopes.map((scope) => fingerprint(t, scope)));
  const { data, error } = await attempt();
  if (mustFail) expect(error, `the API accepted it: ${JSON.stringify(data)}`).not.toBeNull();
  else if (!error) expect(data).toEqual([]);
  expect(await Promise.all(scopes.map((scope) => fingerprint(t, scope))), `${t.label} changed`).toEqual(before);
  return { data, error };
}

const anon = { client: anonClient() };
let orgA: Organization;
let viewer: TestUser;
let member: TestUser;
let userB: TestUser;
let a: Party;
let b: Party;
const rowOfA: Record<string, Row> = {};
const rowOfB: Record<string, Row> = {};
/** A's ids for function arguments: a trashed record, a live one's reference, a pending invitation, an audit entry. */
const idsOfA = { trashed: randomUUID(), reference: 'A000001', invitation: '', audit: '0' };
/** What no answer to B may contain. */
const secretsOfA: string[] = [];

/**
 * Organization A (owner, viewer and member, who joined by invitation, a pending invitation, and
 * records: one live, one trashed) and user B with a personal household (an invitation, a record).
 */
beforeAll(async () => {
  [orgA, userB] = await Promise.all([createOrganization('owner-a'), signUpUser('user-b')]);
  [viewer, member] = await Promise.all([addMember(orgA, 'viewer'), addMember(orgA, 'member')]);
  a = { orgId: orgA.id, userId: orgA.owner.user.id };
  b = { orgId: await personalOrg(userB), userId: userB.user.id };
  const emails = [0, 1].map(() => `pending-${randomUUID().slice(0, 8)}@test.westwallet.app`);
  idsOfA.invitation = await invite(orgA.owner, a.orgId, emails[0], 'member');
  await invite(userB, b.orgId, emails[1], 'viewer');
  secretsOfA.push(a.orgId, orgA.name, emails[0], idsOfA.invitation);
  for (const user of [orgA.owner, viewer, member]) secretsOfA.push(user.user.id, user.email);

  const insert = async (user: TestUser, t: Relation, orgId: string) => {
    const row = await payload(t, orgId);
    const { data, error } = await untyped(user).from(t.name).insert(row).select().single();
    if (error) throw new Error(`insert into ${t.label} failed (payloadOverrides?): ${error.code} ${error.message}`);
    return data as Row;
  };
  for (const t of records) {
    // Trashed first: a unique key of live records (exchange_rates: currency and date) lets the next one in.
    const trashed = await insert(orgA.owner, t, a.orgId);
    const { error } = await untyped(orgA.owner).from(t.name).delete().eq('id', trashed.id);
    if (error) throw new Error(`delete from ${t.label} failed: ${error.code} ${error.message}`);
    const live = await insert(orgA.owner, t, a.orgId);
    await insert(userB, t, b.orgId);
    if (t === records[0]) Object.assign(idsOfA, { trashed: trashed.id, reference: live.reference });
    secretsOfA.push(String(live.id), String(trashed.id));
  }
  // Undo works on updates and deletes: aim at one of those.
  const [entry] = await adminSql`select id::text from public.audit_log where org_id = ${a.orgId}
    order by operation in ('UPDATE', 'DELETE') desc, id desc limit 1`;
  idsOfA.audit = entry?.id ?? '0';

  // Each owned table needs a row of A and of B; where no API call made one, the superuser adds it.
  for (const t of [...ownedTables].sort((x, y) => fillDepth(x) - fillDepth(y))) {
    for (const [party, rows] of [[a, rowOfA] as const, [b, rowOfB] as const]) {
      let row = await firstRow(t, scopeOf(t, party));
      if (!row) {
        const fill = await payload(t, scopeOf(t, party));
        const names = Object.keys(fill).map(ident).join(', ');
        await adminSql.unsafe(
          `insert into ${t.label} (${names}) select ${names} from json_populate_record(null::${t.label}, $1::text::json)`,
          [JSON.stringify(fill)],
        );
        row = await firstRow(t, scopeOf(t, party));
      }
      if (!row) throw new Error(`no row of ${t.label} to aim at`);
      rows[t.name] = row;
    }
  }
});

describe('an anonymous client', () => {
  each(relations)('%s: reads nothing', async (_, t) => {
    const { data, error } = await untyped(anon).from(t.name).select('*').limit(1);
    if (!error) expect(data).toEqual([]);
  });

  each(functions)('%s: cannot call it', async (_, fn) => {
    const { error } = await untyped(anon).rpc(fn.name, argumentsAgainstA(fn));
    expect(error).not.toBeNull();
  });
});

/** Insert, update and delete of A's rows by someone who may not write them: nothing changes. */
function refusesWrites(actor: () => TestUser, tables: Relation[]) {
  const api = () => untyped(actor());

  each(tables)("%s: cannot insert a row of A's", async (_, t) => {
    const row = await payload(t, scopeOf(t, a));
    await changesNothing(t, [scopeOf(t, a)], () => api().from(t.name).insert(row).select(), true);
  });

  each(tables)("%s: cannot update A's rows", async (_, t) => {
    const target = rowOfA[t.name];
    await changesNothing(t, [scopeOf(t, a)], () =>
      api().from(t.name).update(patchFor(t, target)).eq(keyOf(t), target[keyOf(t)]).select(),
    );
  });

  each(tables)("%s: cannot delete A's rows", async (_, t) => {
    const target = rowOfA[t.name];
    await changesNothing(t, [scopeOf(t, a)], () => api().from(t.name).delete().eq(keyOf(t), target[keyOf(t)]).select());
  });
}

describe('a user of another organization (B)', () => {
  const api = () => untyped(userB);

  each(owned)("%s: cannot read A's rows", async (_, t) => {
    const { data, error } = await api().from(t.name).select('*').eq(t.owner, scopeOf(t, a));
    if (!error) expect(data).toEqual([]);
  });

  refusesWrites(() => userB, ownedTables);

  // Records refuse it (READ_ONLY_COLUMN); tables without an update policy match no row.
  each(ownedTables)('%s: cannot move its own row into A', async (_, t) => {
    const own = rowOfB[t.name];
    const { error } = await changesNothing(t, [scopeOf(t, a), scopeOf(t, b)], () =>
      api()
        .from(t.name)
        .update({ [t.owner]: scopeOf(t, a) })
        .eq(keyOf(t), own[keyOf(t)])
        .select(),
    );
    if (t.isRecord) expect(error).toMatchObject({ code: 'PT400', message: 'READ_ONLY_COLUMN' });
  });

  each(ownedTables)("%s: cannot move A's rows into its own", async (_, t) => {
    const target = rowOfA[t.name];
    await changesNothing(t, [scopeOf(t, a), scopeOf(t, b)], () =>
      api()
        .from(t.name)
        .update({ [t.owner]: scopeOf(t, b) })
        .eq(keyOf(t), target[keyOf(t)])
        .select(),
    );
  });

  // References come from a sequence per organization, and sequences ignore rollbacks.
  each(records)("%s: a refused insert into A does not use up A's references", async (_, t) => {
    const before = await referenceCounter(a.orgId);
    const { error } = await api()
      .from(t.name)
      .insert(await payload(t, a.orgId));
    expect(error).not.toBeNull();
    expect(await referenceCounter(a.orgId)).toBe(before);
  });
});

describe("A's viewer", () => {
  refusesWrites(() => viewer, orgTables);
});

describe("A's member", () => {
  const [memberships] = relations.filter((r) => r.name === 'memberships');

  it('cannot change roles by updating memberships', async () => {
    await changesNothing(memberships, [a.orgId], () =>
      untyped(member).from('memberships').update({ role: 'owner' }).eq('org_id', a.orgId).select(),
    );
  });

  it('cannot change roles through set_member_role (ROLE_FORBIDDEN)', async () => {
    for (const [user, role] of [[viewer, 'admin'] as const, [member, 'owner'] as const]) {
      const { error } = await changesNothing(
        memberships,
        [a.orgId],
        () => untyped(member).rpc('set_member_role', { org_id: a.orgId, user_id: user.user.id, role }),
        true,
      );
      expect(error).toMatchObject({ code: 'PT403', message: 'ROLE_FORBIDDEN' });
    }
  });
});

// Functions ---------------------------------------------------------------------------------

/** A's value for an argument, by its name and type; undefined when the name says nothing. */
function valueOfA({ name, type }: Typed): unknown {
  if (type === 'uuid') {
    if (/org/.test(name)) return a.orgId;
    if (/invitation/.test(name)) return idsOfA.invitation;
    if (/user|owner|member/.test(name)) return member.user.id;
    return idsOfA.trashed; // any other id: a record's
  }
  if (/audit/.test(name) && numeric.test(type)) return idsOfA.audit;
  if (!textual.test(type)) return undefined;
  if (/table/.test(name)) return records[0]?.name;
  if (/reference/.test(name)) return idsOfA.reference;
  if (/email/.test(name)) return `matrix-${randomUUID().slice(0, 8)}@test.westwallet.app`;
  return undefined;
}

/** Named arguments aimed at A: each one A has a value for, simple values for the others without a default. */
function argumentsAgainstA(fn: Fn): Row {
  const args: Row = {};
  fn.args.forEach((arg, i) => {
    const value = valueOfA(arg);
    if (value !== undefined) args[arg.name] = value;
    else if (i < fn.args.length - fn.defaults) args[arg.name] = sample(arg);
  });
  return args;
}

/**
 * Functions B cannot aim at A this way, by name, with the reason. They are still called and must
 * reveal and change nothing of A, but may fail with any error. Empty today: every granted function
 * answers B with a PT4xx code or with nothing of A.
 */
const notAimable: Record<string, string> = {};

describe('a user of another organization (B) calling functions', () => {
  const everythingOfA = () => Promise.all(ownedTables.map((t) => fingerprint(t, scopeOf(t, a))));

  each(functions.filter((fn) => fn.granted))("%s: with A's ids, fails or returns nothing of A", async (_, fn) => {
    const before = await everythingOfA();
    const { data, error } = await untyped(userB).rpc(fn.name, argumentsAgainstA(fn));
    if (error && !notAimable[fn.name]) expect(`${error.code} ${error.message}`).toMatch(/^PT4\d\d /);
    const answer = JSON.stringify(data) ?? '';
    expect(secretsOfA.filter((secret) => answer.includes(secret))).toEqual([]);
    expect(await everythingOfA()).toEqual(before);
  });

  each(functions.filter((fn) => !fn.granted))('%s: is not granted, so B cannot call it', async (_, fn) => {
    const { error } = await untyped(userB).rpc(fn.name, argumentsAgainstA(fn));
    expect(error).not.toBeNull();
  });
});
