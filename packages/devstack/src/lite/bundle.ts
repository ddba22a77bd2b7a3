import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Mends that can only be made in lite's code: the waste on every Data API request sits in
 * functions its bundle does not export. lite's `dist/index.js` is read, each edit below replaced
 * in it (each must match exactly once, else lite changed and the edit must be re-checked), and
 * the result written beside it under a name holding its hash, then imported in its place (with a
 * copy of its Postgres connection that imports it: see importMendedLite). The copies live in
 * lite's own folder so that they resolve their other imports exactly as the originals do.
 *
 * Each edit is what we would send upstream (see `upstream`).
 */

interface BundleEdit {
  /** Why, measured per request (bench/README.md, "Where a request's CPU goes"). */
  why: string;
  /** What lite could do itself. */
  upstream: string;
  find: string;
  replace: string;
}

/** Helpers the edits call, appended to the bundle (function declarations are hoisted). */
const helpers = `
/* westwallet: the response-type map of a schema cache, built once per cache (see bundle.ts). */
var __westwalletTypeMaps = new WeakMap();
function __westwalletTypeMap(deparse, introspection, dialect) {
  let cached = __westwalletTypeMaps.get(introspection);
  if (!cached || cached.deparse !== deparse || cached.dialect !== dialect) {
    cached = { deparse, dialect, map: wm(deparse, introspection, dialect) };
    __westwalletTypeMaps.set(introspection, cached);
  }
  return cached.map;
}
/* westwallet: the HMAC key of a JWT secret, imported once per secret (see bundle.ts). */
var __westwalletHmacKeys = new Map();
function __westwalletHmacKey(secret) {
  let key = __westwalletHmacKeys.get(secret);
  if (!key) {
    key = globalThis.crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    __westwalletHmacKeys.set(secret, key);
  }
  return key;
}
/* westwallet: a many-to-many junction only where both foreign keys lie in its primary key (see bundle.ts). */
function __westwalletIsJunction(introspection, table, toParent, toTarget) {
  const schema = toParent[0]?.schema;
  const key = introspection.primary_keys?.find((k) => k.table === table && (!schema || !k.schema || k.schema === schema));
  return !!key && [...toParent, ...toTarget].every((fk) => key.columns.includes(fk.column));
}
/* westwallet: the schema cache's columns by table and by table and name, indexed once per cache (see bundle.ts). */
var __westwalletColumnIndexes = new WeakMap();
var __westwalletNoColumns = Object.freeze([]);
function __westwalletColumnIndex(columns) {
  let index = __westwalletColumnIndexes.get(columns);
  // A cache's columns are not changed in place; the length is a cheap guard all the same.
  if (!index || index.length !== columns.length) {
    index = { length: columns.length, byTable: new Map() };
    for (const column of columns) {
      let ofTable = index.byTable.get(column.table);
      if (!ofTable) index.byTable.set(column.table, (ofTable = { all: [], byName: new Map() }));
      ofTable.all.push(column);
      let named = ofTable.byName.get(column.name);
      if (!named) ofTable.byName.set(column.name, (named = []));
      named.push(column);
    }
    __westwalletColumnIndexes.set(columns, index);
  }
  return index;
}
/* The columns of a table, in the cache's order. */
function __westwalletColumnsOf(columns, table) {
  return __westwalletColumnIndex(columns).byTable.get(table)?.all ?? __westwalletNoColumns;
}
/* The columns of a table with a name (one per schema holding the table), in the cache's order. */
function __westwalletColumnsNamed(columns, table, name) {
  return __westwalletColumnIndex(columns).byTable.get(table)?.byName.get(name) ?? __westwalletNoColumns;
}
/* westwallet: an embedding's relationship, resolved once per schema cache (see bundle.ts). */
var __westwalletRelationships = new WeakMap();
function __westwalletRelationship(resolve, table, embed, join, introspection) {
  if (!introspection || typeof introspection !== 'object') return resolve(table, embed, join, introspection);
  let known = __westwalletRelationships.get(introspection);
  // Aliases are the client's to choose: at most 1,000 kept per cache.
  if (!known || known.size >= 1000) __westwalletRelationships.set(introspection, (known = new Map()));
  const key = JSON.stringify([table, embed, join?.from, join?.hint]);
  let found = known.get(key);
  if (!found) {
    // An embedding that resolves to no single relationship throws: never kept, answered anew each time.
    found = resolve(table, embed, join, introspection);
    known.set(key, found);
  }
  return found;
}
/* westwallet: tokens verified before, kept until their exp (see bundle.ts). */
var __westwalletTokens = new Map();
function __westwalletVerifiedToken(token, secret) {
  const kept = __westwalletTokens.get(token);
  // As jose: expired once exp <= now, in whole seconds.
  if (!kept || kept.secret !== secret || kept.payload.exp <= Math.floor(Date.now() / 1000)) return undefined;
  return kept.payload;
}
function __westwalletKeepToken(token, secret, payload) {
  if (typeof payload.exp !== 'number') return;
  // The oldest goes first: a client's token of an hour is sent again long before that.
  if (__westwalletTokens.size >= 1000) __westwalletTokens.delete(__westwalletTokens.keys().next().value);
  __westwalletTokens.set(token, { secret, payload });
}
`;

export const bundleEdits: BundleEdit[] = [
  {
    why:
      'for every REST request lite rebuilds the response-type map from the whole schema cache (wm → cx, ' +
      'two RegExps per view column): 1.0 to 1.15 ms of CPU, though it depends only on the cache. ' +
      "Kept per schema cache object: lite's clearSchemaCache() (on `notify pgrst, 'reload schema'`) " +
      'drops the object, so the next request builds the map of the new cache',
    upstream:
      'compute the map with the introspection (once per schema cache), and build the view RegExps once per column',
    find: 'd=wm(f,l,u),',
    replace: 'd=__westwalletTypeMap(f,l,u),',
  },
  {
    why:
      'resolveAuth (mounted for every path) verifies the bearer token and reads auth.users and auth.sessions; for ' +
      '/rest/v1 its outcome is thrown away (it has no onError there) and the Data API verifies the token again ' +
      'itself: two statements, two round trips and a verification per request for nothing. PostgREST reads ' +
      'neither table; GoTrue (/auth/v1) does, and keeps doing so here',
    upstream: 'skip resolveAuth for /rest/v1 as it is skipped for /storage/v1',
    find: 'if(new URL(e.req.url).pathname.startsWith("/storage/v1/")){await n();return}',
    replace:
      '{let p=new URL(e.req.url).pathname;if(p.startsWith("/storage/v1/")||p.startsWith("/rest/v1/")&&!(Qn in e.req.raw)){await n();return}}',
  },
  {
    why:
      "the Data API verifies the bearer token on every request (jose's WebCrypto HMAC: 0.5 ms, and importKey " +
      '0.23 ms more), though a client sends the same token until it refreshes it. A token verified once is kept ' +
      'until its exp, by its full text, so a changed byte, an expired token or another secret is checked anew',
    upstream:
      "a cache of verified tokens until their exp, as PostgREST's jwt-cache-max-lifetime; the key imported once",
    find: 'let s=new TextEncoder().encode(e.jwtSecret),{payload:i}=await jwtVerify(n,s,{algorithms:["HS256"]});',
    replace:
      'let i=__westwalletVerifiedToken(n,e.jwtSecret);if(!i){let s=await __westwalletHmacKey(e.jwtSecret);' +
      '({payload:i}=await jwtVerify(n,s,{algorithms:["HS256"]}));__westwalletKeepToken(n,e.jwtSecret,i);}',
  },
  {
    why: "Auth's token check (the /auth/v1 routes that need a user) imports the key per request too",
    upstream: 'import the key once per secret',
    find: 'let s=new TextEncoder().encode(e);try{let{payload:i}=await jwtVerify(t,s,{algorithms:["HS256"]});',
    replace: 'let s=await __westwalletHmacKey(e);try{let{payload:i}=await jwtVerify(t,s,{algorithms:["HS256"]});',
  },
  ...[
    // xl: the column of a table by name (behind every column reference of a select, filter or order)
    [
      'let s=e.introspection.columns.filter(i=>i.table===n&&i.name===t);',
      'let s=__westwalletColumnsNamed(e.introspection.columns,n,t);',
    ],
    // Br: whether a table has a column of a domain type
    [
      'return e.columns.some(s=>s.table!==t||(s.schema??"public")!==r?false:qe(Ue(s.pg_type,s.type)))',
      'return __westwalletColumnsOf(e.columns,t).some(s=>(s.schema??"public")!==r?false:qe(Ue(s.pg_type,s.type)))',
    ],
    // Xi: whether a table has a column of a composite type
    [
      'return e.introspection.columns.some(r=>r.table===t&&(r.schema??"public")===n&&Ut(r.name,e,t))',
      'return __westwalletColumnsOf(e.introspection.columns,t).some(r=>(r.schema??"public")===n&&Ut(r.name,e,t))',
    ],
    // _l: a table's columns, for `*`
    [
      'return e.columns.filter(s=>s.table===t&&(s.schema??"public")===r)',
      'return __westwalletColumnsOf(e.columns,t).filter(s=>(s.schema??"public")===r)',
    ],
    // Dd: whether a column is of a domain type
    [
      'i=n.columns.find(o=>o.table===t&&o.name===e&&(o.schema??"public")===s)',
      'i=__westwalletColumnsNamed(n.columns,t,e).find(o=>(o.schema??"public")===s)',
    ],
    // Un: the column a filter's value is read for
    [
      'r=e.introspection.columns.filter(i=>i.table===e.currentTable&&i.name===n);',
      'r=__westwalletColumnsNamed(e.introspection.columns,e.currentTable,n);',
    ],
    // Ki: whether a table has a column
    [
      'return !!t?.columns?.some(i=>i.table===e&&i.name===n&&i.schema===s)',
      'return !!t?.columns&&__westwalletColumnsNamed(t.columns,e,n).some(i=>i.schema===s)',
    ],
    // the Data API's handler: the names of the requested table's columns, on every request
    [
      'y=new Set(l.columns.filter(k=>{if(k.table!==o)return !1;',
      'y=new Set(__westwalletColumnsOf(l.columns,o).filter(k=>{',
    ],
    // Lp: the type of a written value's column, for each column of each row written
    [
      'let i=(t.introspection?.columns??[]).filter(l=>l.table===n&&l.name===r);',
      'let i=__westwalletColumnsNamed(t.introspection?.columns??[],n,r);',
    ],
    // Mr: the domain type of a written value's column
    [
      'a=s.columns.find(c=>c.table===e&&c.name===n&&(c.schema??"public")===o)',
      'a=__westwalletColumnsNamed(s.columns,e,n).find(c=>(c.schema??"public")===o)',
    ],
    // Km, for a write: the table's column names (twice) and its generated columns
    [
      'let b=r.columns.filter(E=>E.table===e.from).map(E=>E.name);',
      'let b=__westwalletColumnsOf(r.columns,e.from).map(E=>E.name);',
    ],
    [
      'let b=r.columns.filter(_=>_.table===e.from).map(_=>_.name);',
      'let b=__westwalletColumnsOf(r.columns,e.from).map(_=>_.name);',
    ],
    [
      '_=new Set(r.columns.filter(E=>E.table===e.from&&(E.schema||"public")===b&&E.is_generated===true)',
      '_=new Set(__westwalletColumnsOf(r.columns,e.from).filter(E=>(E.schema||"public")===b&&E.is_generated===true)',
    ],
    // WS: whether a column is of lite's color type
    [
      'let s=t.introspection.columns.filter(o=>o.table===r&&o.name===n);',
      'let s=__westwalletColumnsNamed(t.introspection.columns,r,n);',
    ],
    // Zi: whether a column is JSON
    [
      's=t.introspection?.columns?.find(o=>o.table===e&&o.name===r)',
      's=t.introspection?.columns&&__westwalletColumnsNamed(t.introspection.columns,e,r)[0]',
    ],
    // no: a table's column names in order, for `*` (sorted, so a copy of the index's list)
    ['let r=n.columns.filter(i=>i.table===e).sort(', 'let r=__westwalletColumnsOf(n.columns,e).slice().sort('],
  ].map(
    ([find, replace]): BundleEdit => ({
      why:
        "lite finds a table's columns by scanning every column of the schema cache (about 700 in WestWallet's " +
        'public schema), for each column a request selects, filters, orders by or writes, several times over: 0.18 ' +
        'ms of a list of 50 with names (profile, 0.73 → 0.55 ms for building its query), 0.08 to 0.09 ms of an ' +
        "insert of one transaction (the written values' types, `ql`: 0.10 → 0.02 ms). The columns are indexed by table " +
        "and name once per schema cache (keyed by the cache's array, which a reload replaces); each lookup keeps " +
        'its own test, and finds the same columns in the same order',
      upstream: 'index the introspection by table and column when the schema cache is built',
      find,
      replace,
    }),
  ),
  {
    why:
      'lite copies every row of an answer, column by column and into each embedded row, to convert the columns ' +
      "its response-type map names (columns of lite's own shim types: color, isodate, monetary...). For Postgres " +
      'the map is empty: every copy equals its row. With an empty map the rows are left as they are: 0.16 ms of a ' +
      'list of 50 with names',
    upstream: 'skip the walk when the map is empty',
    find: 'function _m(t,e,n,r){return !n||!e?.from?t:t.map(',
    replace: 'function _m(t,e,n,r){return !n||n.size===0||!e?.from?t:t.map(',
  },
  {
    why:
      'lite resolves the relationship of an embedding (`category:categories(name)`) by scanning every foreign key of ' +
      'the schema cache, several times a request for each embedding (building the select, its joins, its order): ' +
      "0.13 ms of a list of 50 with two names. The outcome depends only on the parent table, the embedding's name, " +
      'its `from` and hint, and the cache: kept per schema cache object, which a reload replaces. An embedding ' +
      'that does not resolve throws each time, as before',
    upstream: 'resolve relationships once per schema cache, or index the foreign keys by table',
    find: 'function Ce(t,e,n,r){',
    replace:
      'function Ce(t,e,n,r){return __westwalletRelationship(__westwalletResolveRelationship,t,e,n,r)}function __westwalletResolveRelationship(t,e,n,r){',
  },
  {
    why:
      'lite writes every answer with JSON.stringify and a replacer (for BigInt), which V8 calls for every key and ' +
      'value: 112 against 66 us for 50 rows of 27 columns (measured alone). Without a BigInt the two write the same ' +
      'text; with one, JSON.stringify throws a TypeError and the replacer writes it as before',
    upstream: 'stringify without the replacer first, or convert BigInts where the driver reads them',
    find: 'function Rt(t){return JSON.stringify(t,(e,n)=>typeof n=="bigint"?Number.parseInt(n.toString(),10):n)}',
    replace:
      'function Rt(t){try{return JSON.stringify(t)}catch(x){if(!(x instanceof TypeError))throw x;' +
      'return JSON.stringify(t,(e,n)=>typeof n=="bigint"?Number.parseInt(n.toString(),10):n)}}',
  },
  {
    why:
      'lite takes every table with foreign keys to two tables for a many-to-many junction between them, so a ' +
      'second such table (transaction_categorizations beside transaction_splits, both keyed to transactions and ' +
      'categories) made `transactions?select=*,categories(*)` ambiguous (PGRST201) where PostgREST embeds the ' +
      "one category: PostgREST takes a table for a junction only when both keys' columns are in its primary key",
    upstream: "in the relationship search, require the junction's primary key to hold both foreign keys' columns",
    find: 'if(w.length!==0)for(let S of Bn(w))u.push({type:"m2m",junctionTable:y,',
    replace: 'if(w.length!==0)for(let S of Bn(w))__westwalletIsJunction(t,y,g,S)&&u.push({type:"m2m",junctionTable:y,',
  },
];

/** lite's folder, found as Node finds a package: node_modules/@supabase/lite up from here. */
function liteDirectory(): string {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', '@supabase', 'lite');
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error('@supabase/lite is not installed');
  }
}

/** lite's bundle with every edit applied; throws naming the first edit that no longer fits. */
export function mendBundle(source: string): string {
  let mended = source;
  for (const edit of bundleEdits) {
    const at = mended.indexOf(edit.find);
    if (at < 0 || mended.indexOf(edit.find, at + 1) >= 0) {
      throw new Error(
        `lite's bundle ${at < 0 ? 'no longer contains' : 'contains more than once'} ${JSON.stringify(edit.find)}: ` +
          're-check the edit in packages/devstack/src/lite/bundle.ts',
      );
    }
    mended = mended.slice(0, at) + edit.replace + mended.slice(at + edit.find.length);
  }
  // The helpers name lite's own (minified) functions and symbols; make sure they still exist.
  for (const name of ['function wm(', 'var Qn=Symbol("lite-internal-request")']) {
    if (!mended.includes(name))
      throw new Error(`lite's bundle has no ${name}: re-check packages/devstack/src/lite/bundle.ts`);
  }
  return `${mended}\n${helpers}`;
}

type Lite = typeof import('@supabase/lite');
type LitePostgres = typeof import('@supabase/lite/postgres');

/** Writes `text` to `file` unless it is there: under a temporary name, renamed, so that stacks
 * starting at once never import half a file. */
function writeOnce(file: string, text: string): string {
  if (!fs.existsSync(file)) {
    const partial = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(partial, text);
    fs.renameSync(partial, file);
  }
  return pathToFileURL(file).href;
}

/** Replaces lite's one import of itself (`from'@supabase/lite'`) in a file of its own. */
function importFrom(source: string, file: string, target: string): string {
  const specifier = "from'@supabase/lite'";
  const at = source.indexOf(specifier);
  if (at < 0 || source.indexOf(specifier, at + 1) >= 0) {
    throw new Error(
      `lite's ${file} no longer imports @supabase/lite once: re-check packages/devstack/src/lite/bundle.ts`,
    );
  }
  return `${source.slice(0, at)}from'${target}'${source.slice(at + specifier.length)}`;
}

let loaded: Promise<{ lite: Lite; postgres: LitePostgres }> | undefined;

/**
 * `@supabase/lite` with the edits above, and `@supabase/lite/postgres` on it: App, the Postgres
 * connection and everything used with them come from here. lite's bundle imports its own
 * classes (`Connection`, `RelationNotFoundError`) from `@supabase/lite`, and so does its Postgres
 * connection: both copies import the mended bundle instead, so that there is one of each class
 * and `instanceof` holds (else a missing table answered 500 instead of 404 PGRST205).
 */
export function importMendedLite(): Promise<{ lite: Lite; postgres: LitePostgres }> {
  loaded ??= (async () => {
    const dist = path.join(liteDirectory(), 'dist');
    const read = (file: string) => fs.readFileSync(path.join(dist, file), 'utf8');
    const connectionFile = path.join(dist, 'db', 'postgres', 'PostgresConnection.js');
    // Each copy with its import of the mended bundle, whose name holds the hash of both.
    const mended = (name: string) => importFrom(mendBundle(read('index.js')), 'dist/index.js', `./${name}`);
    const connection = (name: string) =>
      importFrom(fs.readFileSync(connectionFile, 'utf8'), 'PostgresConnection.js', `../../${name}`);
    const hash = createHash('sha256').update(mended('NAME')).update(connection('NAME')).digest('hex').slice(0, 16);
    const name = `index.westwallet-${hash}.js`;
    const lite = writeOnce(path.join(dist, name), mended(name));
    const postgres = writeOnce(
      path.join(path.dirname(connectionFile), `PostgresConnection.westwallet-${hash}.js`),
      connection(name),
    );
    return {
      lite: (await import(lite)) as Lite,
      postgres: (await import(postgres)) as LitePostgres,
    };
  })();
  return loaded;
}
