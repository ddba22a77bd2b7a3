import { type ErrorCode, errorCodes } from '@westwallet/shared';
import {
  classifyPass,
  type CsvCarry,
  type CsvLayout,
  type CsvMappingOverride,
  csvMappingOverrideSchema,
  type CsvPosition,
  type DedupePass,
  dedupePasses,
  finishCsv,
  importMaxBytes,
  importMaxProblems,
  type ImportPreviewParams,
  importPreviewParams,
  newCsvCarry,
  type ParseOptions,
  type ParseProblem,
  passReasons,
  problemOrder,
  readCsvLayout,
  readCsvPart,
  type Statement,
  type StatementEntry,
  type StatementFormat,
  statementFormatOf,
  type StructuredFormat,
  type StructuredPosition,
  structuredReaders,
  type Verdict,
} from '@westwallet/shared/imports';
import type postgres from 'postgres';
import { JobFailure, type JobKind, type StepContext } from '../jobs/kind.ts';
import { accountTransactions, importsBucket, referencedTransactions } from './existing.ts';

interface PreviewResult {
  batch_id: string;
  entries: number;
  new: number;
  duplicate: number;
  conflict: number;
  problems: number;
}

interface Account {
  id: string;
  currency: string;
  number_hint: string | null;
  minor_units: number;
}

/** What the staging has found so far, carried from step to step. */
interface Staged {
  /** Entries staged; the last one's line (a step that runs again removes what it staged after it). */
  entries: number;
  lastLine: number;
  /** The first and last booking day staged. */
  from: string | null;
  to: string | null;
  /** The first `importMaxProblems` problems in line order, and how many there are. */
  problems: ParseProblem[];
  problemCount: number;
}

/**
 * The preview's checkpoint. `start` reads how the file is to be read and creates the batch;
 * `stage` reads the file a part at a time from a byte offset (a CSV's at a record's end, a
 * structured file's at an entry's start) into `import_rows`, all `new`; `match` runs each
 * deduplication pass over the staged rows a part at a time in line order; `finish` counts.
 */
type PreviewState =
  | { phase: 'start' }
  | {
    phase: 'stage';
    format: StatementFormat;
    staged: Staged;
    /** CSV: the layout, where the reader stands and what it carries. */
    csv: { layout: CsvLayout; position: CsvPosition; carry: CsvCarry } | null;
    /** Structured formats: where their reader stands (statement-parts.ts). */
    structured: StructuredPosition | null;
  }
  | { phase: 'match'; pass: DedupePass; afterLine: number; from: string; to: string }
  | { phase: 'finish' };

/** How much one unit of work takes; the kind does units until its step's time gets short. */
export interface PreviewSizes {
  /** Bytes of the file read in one part (to a CSV record's end, to a structured entry's start). */
  stageBytes: number;
  /** Staged rows one deduplication part reads. */
  matchRows: number;
}

/**
 * Sizes that keep a unit around a fifth of a step's 1.5 s here: 256 KiB of CSV is about 5,500
 * lines, of CAMT.053 a few hundred entries (a part of it takes 30 to 70 ms to read). A step starts
 * no unit with less than `unitMs` of its time left.
 */
const defaultSizes: PreviewSizes = { stageBytes: 256 * 1024, matchRows: 5000 };
const unitMs = 400;

/**
 * `import.preview`: reads the statement file, stages its entries as a batch (`import_batches`,
 * `import_rows`) with what each is (new, duplicate of which transaction, conflict) and the
 * file's own problems by line. Writes no transaction. A file that cannot be read as a whole ends
 * the job `failed` with the problem's code and line, and leaves nothing (the batch it began goes).
 * Runs in steps that fit a function invocation; the batch is `previewing` until the last one.
 */
export function previewKind(sizes: PreviewSizes): JobKind<ImportPreviewParams, PreviewState, PreviewResult> {
  return {
    name: 'import.preview',
    role: 'member',
    params: importPreviewParams,
    initialState: () => ({ phase: 'start' }),
    async step(ctx, params, state) {
      try {
        return await advance(ctx, params, state, sizes);
      } catch (error) {
        if (error instanceof JobFailure) {
          await ctx.sql`delete from public.import_batches where org_id = ${ctx.orgId} and id = ${ctx.jobId}`;
        }
        throw error;
      }
    },
  };
}

export const importPreview = previewKind(defaultSizes);

async function advance(ctx: StepContext, params: ImportPreviewParams, initial: PreviewState, sizes: PreviewSizes) {
  const account = await readAccount(ctx, params.account_id);
  // Read once a step, when a unit needs them.
  let file: File | undefined;
  const read = async (): Promise<File> => {
    file ??= { bytes: await readFile(ctx, params.path), options: await parseOptions(ctx, params, account) };
    return file;
  };
  let state = initial;
  for (;;) {
    switch (state.phase) {
      case 'start':
        state = await start(ctx, params, account, await read());
        break;
      case 'stage':
        state = await stage(ctx, account, await read(), state, sizes);
        break;
      case 'match':
        state = await match(ctx, account, state, sizes);
        break;
      case 'finish':
        return { state, progress: { fraction: 1, message: 'counted' }, done: await finish(ctx) };
    }
    if (ctx.deadline.remainingMs() < unitMs) return { state, progress: progressOf(state) };
  }
}

function progressOf(state: PreviewState): { fraction: number; message: string } {
  switch (state.phase) {
    case 'stage':
      return { fraction: 0.1, message: `${state.staged.entries} entries read` };
    case 'match': {
      const pass = dedupePasses.indexOf(state.pass);
      return { fraction: 0.5 + pass * 0.15, message: `matching (${state.pass}) after line ${state.afterLine}` };
    }
    default:
      return { fraction: 0, message: 'reading the file' };
  }
}

/** The file as one step reads it: its bytes and how to read them. */
interface File {
  bytes: Uint8Array;
  options: ParseOptions;
}

/** How to read the file; the batch, empty and `previewing`. A step that runs again replaces it. */
async function start(
  ctx: StepContext,
  params: ImportPreviewParams,
  account: Account,
  file: File,
): Promise<PreviewState> {
  const format = params.format ?? statementFormatOf(file.bytes);
  if (!format) {
    throw new JobFailure(
      'IMPORT_FORMAT_UNSUPPORTED',
      'An XML or HTML file that is no OFX, CAMT.053 or CAMT.054 statement.',
    );
  }
  let csv: { layout: CsvLayout; position: CsvPosition; carry: CsvCarry } | null = null;
  let structured: StructuredPosition | null = null;
  if (format === 'csv') {
    const started = readCsvLayout(file.bytes, file.options);
    if (!started.ok) throw refusal(started.refusal.problems[0]);
    csv = { layout: started.layout, position: started.position, carry: newCsvCarry() };
  } else {
    const started = structuredReaders[format].start(file.bytes, file.options);
    if ('refusal' in started) throw refusal(started.refusal);
    structured = started;
  }
  await ctx.sql.begin(async (sql) => {
    await sql`delete from public.import_batches where org_id = ${ctx.orgId} and id = ${ctx.jobId}`;
    await sql`
      insert into public.import_batches ${
      sql({
        id: ctx.jobId,
        org_id: ctx.orgId,
        account_id: account.id,
        file_path: params.path,
        format,
        status: 'previewing',
        mapping: csv ? sql.json(csv.layout.mapping) : null,
        preset: csv?.layout.preset ?? null,
        currency: account.currency,
        created_by: ctx.requestedBy,
      })
    }`;
  });
  const staged: Staged = { entries: 0, lastLine: 0, from: null, to: null, problems: [], problemCount: 0 };
  return { phase: 'stage', format, staged, csv, structured };
}

/** One part of the file into `import_rows`; after the last, the statement's balances and problems on the batch. */
async function stage(
  ctx: StepContext,
  account: Account,
  file: File,
  state: Extract<PreviewState, { phase: 'stage' }>,
  sizes: PreviewSizes,
): Promise<PreviewState> {
  const staged: Staged = { ...state.staged, problems: [...state.staged.problems] };
  let entries: StatementEntry[];
  let problems: ParseProblem[];
  let problemCount: number;
  let done: boolean;
  let csv = state.csv;
  let structured = state.structured;
  if (csv) {
    const carry: CsvCarry = structuredClone(csv.carry);
    const part = readCsvPart(file.bytes, csv.layout.mapping, csv.position, sizes.stageBytes, file.options, carry);
    if ('refusal' in part) throw refusal(part.refusal.problems[0]);
    ({ entries, problems, problemCount, done } = part);
    csv = { ...csv, position: part.position, carry };
  } else {
    const reader = structuredReaders[state.format as StructuredFormat];
    const part = reader.part(file.bytes, structured as StructuredPosition, sizes.stageBytes, file.options);
    if ('refusal' in part) throw refusal(part.refusal);
    if (part.head) checkStatementFitsAccount(part.head, account);
    ({ entries, problems, done } = part);
    problemCount = problems.length;
    structured = part.position;
  }

  // Entries in another currency than the account's cannot be its transactions as they stand.
  const fitting = entries.filter((entry) => {
    if (entry.currency === account.currency) return true;
    problems.push({
      line: entry.line,
      code: 'IMPORT_CURRENCY_MISMATCH',
      message: `The entry is in ${entry.currency}; the account is in ${account.currency}.`,
    });
    problemCount++;
    return false;
  });
  staged.problems = listedProblems(staged.problems, problems);
  staged.problemCount += problemCount;
  await stageRows(ctx, state.staged.lastLine, fitting);
  for (const entry of fitting) {
    if (entry.line <= state.staged.lastLine) throw new Error(`entries out of line order at line ${entry.line}`);
    staged.lastLine = entry.line;
    if (staged.from === null || entry.bookedOn < staged.from) staged.from = entry.bookedOn;
    if (staged.to === null || entry.bookedOn > staged.to) staged.to = entry.bookedOn;
  }
  staged.entries += fitting.length;
  if (!done) return { ...state, staged, csv, structured };

  // The whole file is read: the statement around the entries.
  let statement: Partial<Statement> = {};
  let listed = staged.problems;
  let counted = staged.problemCount;
  if (csv) {
    const ends = finishCsv(csv.carry, staged.problems, csv.layout);
    if (!ends.statement) throw refusal(ends.problems[0]);
    checkStatementFitsAccount(ends.statement, account);
    statement = ends.statement;
  } else {
    const ends = structuredReaders[state.format as StructuredFormat].finish(structured as StructuredPosition);
    if ('refusal' in ends) throw refusal(ends.refusal);
    checkStatementFitsAccount(ends.statement, account);
    statement = ends.statement;
    listed = listedProblems(listed, ends.problems);
    counted += ends.problems.length;
  }
  await ctx.sql`
    update public.import_batches set
      entry_count = ${staged.entries},
      problems = ${ctx.sql.json(listed as never)},
      problem_count = ${counted},
      statement_account = coalesce(${statement.account?.slice(0, 64) ?? null}, statement_account),
      opening_balance_minor = coalesce(${statement.openingBalanceMinor ?? null}, opening_balance_minor),
      opening_on = coalesce(${statement.openingOn ?? null}::date, opening_on),
      closing_balance_minor = coalesce(${statement.closingBalanceMinor ?? null}, closing_balance_minor),
      closing_on = coalesce(${statement.closingOn ?? null}::date, closing_on)
    where org_id = ${ctx.orgId} and id = ${ctx.jobId}`;
  if (staged.from === null || staged.to === null) return { phase: 'finish' };
  return { phase: 'match', pass: dedupePasses[0], afterLine: 0, from: staged.from, to: staged.to };
}

/**
 * The first `importMaxProblems` of the problems listed so far and a part's, in `problemOrder`:
 * as the file read whole lists them, whatever order the parts found them in.
 */
function listedProblems(listed: ParseProblem[], part: ParseProblem[]): ParseProblem[] {
  if (part.length === 0) return listed;
  return [...listed, ...part].sort(problemOrder).slice(0, importMaxProblems);
}

/**
 * Writes a part's entries as `new` rows, after removing any a run of this step that lost its
 * checkpoint staged (those after `lastLine`): nothing is staged twice. One statement of column
 * arrays, far cheaper to send than a parameter a cell.
 */
async function stageRows(ctx: StepContext, lastLine: number, entries: StatementEntry[]): Promise<void> {
  const column = <T>(of: (entry: StatementEntry) => T) => entries.map(of);
  await ctx.sql.begin(async (sql) => {
    await sql`delete from public.import_rows where org_id = ${ctx.orgId} and batch_id = ${ctx.jobId} and line > ${lastLine}`;
    if (entries.length === 0) return;
    await sql`
      insert into public.import_rows (org_id, batch_id, line, booked_on, value_on, amount_minor, currency, counterparty,
                                      counterparty_account, text, bank_reference, status, decision)
      select ${ctx.orgId}, ${ctx.jobId}, e.*, 'new', 'import'
      from unnest(${column((e) => e.line)}::int[], ${column((e) => e.bookedOn)}::date[],
                  ${column((e) => e.valueOn)}::date[], ${column((e) => e.amountMinor)}::bigint[],
                  ${column((e) => e.currency)}::text[], ${column((e) => e.counterparty)}::text[],
                  ${column((e) => e.counterpartyAccount?.slice(0, 64) ?? null)}::text[],
                  ${column((e) => e.text)}::text[], ${column((e) => e.bankReference)}::text[]) as e`;
  });
}

interface StagedRow {
  id: string;
  line: number;
  booked_on: string;
  amount_minor: string;
  counterparty: string | null;
  text: string | null;
  bank_reference: string | null;
  status: Verdict['status'];
  match_reason: string | null;
  duplicate_of: string | null;
}

/**
 * One deduplication pass over the next staged rows in line order, as `classifyEntries` would
 * run it over the whole file: the transactions the rows can reach, in the same order, less those
 * that earlier rows (of this pass or an earlier one) took. What a run of this step that lost its
 * checkpoint decided is decided again, not counted as taken.
 */
async function match(
  ctx: StepContext,
  account: Account,
  state: Extract<PreviewState, { phase: 'match' }>,
  sizes: PreviewSizes,
): Promise<PreviewState> {
  const reasons = passReasons[state.pass];
  // The rows this pass decides: still new, or decided by this pass in a run that lost its
  // checkpoint; with a reference for the reference pass.
  const open = ctx.sql`
    and (status = 'new' or match_reason = any(${reasons}::text[]))
    ${state.pass === 'reference' ? ctx.sql`and bank_reference is not null` : ctx.sql``}`;
  // The next `matchRows` of them, and the rest of the last one's line (entries that share a
  // line are matched in id order, in one part).
  const [boundary] = await ctx.sql<{ line: number }[]>`
    select line from public.import_rows
    where org_id = ${ctx.orgId} and batch_id = ${ctx.jobId} and line > ${state.afterLine} ${open}
    order by line offset ${sizes.matchRows - 1} limit 1`;
  const rows = await ctx.sql<StagedRow[]>`
    select id, line, booked_on::text, amount_minor::text, counterparty, text, bank_reference, status::text,
           match_reason, duplicate_of
    from public.import_rows
    where org_id = ${ctx.orgId} and batch_id = ${ctx.jobId} and line > ${state.afterLine} ${open}
      and line <= ${boundary?.line ?? 2 ** 31 - 1}
    order by line, id`;
  const lastLine = rows.at(-1)?.line ?? state.afterLine;
  if (rows.length > 0) {
    const entries = rows.map((r) => ({
      bookedOn: r.booked_on,
      amountMinor: Number(r.amount_minor),
      counterparty: r.counterparty,
      text: r.text,
      bankReference: r.bank_reference,
    }));
    const existing = state.pass === 'reference'
      ? await referencedTransactions(ctx.sql, ctx.orgId, account.id, state.from, state.to, [
        ...new Set(entries.map((e) => e.bankReference as string)),
      ])
      : await accountTransactions(ctx.sql, ctx.orgId, account.id, ...daysOf(entries));
    const claimed = await claimedBefore(ctx.sql, ctx, existing.map((t) => t.id), state.afterLine, lastLine, reasons);
    const verdicts: Verdict[] = rows.map(() => ({ status: 'new', transactionId: null, reason: null }));
    classifyPass(state.pass, entries, existing, claimed, verdicts);
    const changed = rows.flatMap((r, i) => {
      const v = verdicts[i];
      return v.status === r.status && v.transactionId === r.duplicate_of && v.reason === r.match_reason
        ? []
        : [{ id: r.id, status: v.status, reason: v.reason, duplicate_of: v.transactionId }];
    });
    if (changed.length > 0) {
      await ctx.sql`
        update public.import_rows r
        set status = c.status::public.import_row_status, match_reason = c.reason, duplicate_of = c.duplicate_of,
            decision = (case when c.status = 'new' then 'import' else 'skip' end)::public.import_decision
        from unnest(${changed.map((c) => c.id)}::uuid[], ${changed.map((c) => c.status)}::text[],
                    ${changed.map((c) => c.reason)}::text[], ${changed.map((c) => c.duplicate_of)}::uuid[])
          as c(id, status, reason, duplicate_of)
        where r.org_id = ${ctx.orgId} and r.batch_id = ${ctx.jobId} and r.id = c.id`;
    }
  }
  if (boundary) return { ...state, afterLine: lastLine };
  const pass = dedupePasses.indexOf(state.pass) + 1;
  if (pass === dedupePasses.length) return { phase: 'finish' };
  return { ...state, pass: dedupePasses[pass], afterLine: 0 };
}

/** The first and last day of `entries` (ISO days order as strings). */
function daysOf(entries: { bookedOn: string }[]): [string, string] {
  let from = entries[0].bookedOn;
  let to = from;
  for (const { bookedOn } of entries) {
    if (bookedOn < from) from = bookedOn;
    if (bookedOn > to) to = bookedOn;
  }
  return [from, to];
}

/**
 * Which of `ids` rows of the batch have taken, but for what this pass decided for the rows
 * after `afterLine` up to `lastLine` (the part being decided again).
 */
async function claimedBefore(
  sql: postgres.Sql,
  ctx: StepContext,
  ids: string[],
  afterLine: number,
  lastLine: number,
  reasons: string[],
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await sql<{ duplicate_of: string }[]>`
    select duplicate_of from public.import_rows
    where org_id = ${ctx.orgId} and duplicate_of = any(${ids}::uuid[]) and batch_id = ${ctx.jobId}
      and not (line > ${afterLine} and line <= ${lastLine} and match_reason = any(${reasons}::text[]))`;
  return new Set(rows.map((r) => r.duplicate_of));
}

/** The counts, and the batch open for decisions. */
async function finish(ctx: StepContext): Promise<PreviewResult> {
  const [batch] = await ctx.sql<
    { entries: number; new: number; duplicate: number; conflict: number; problems: number }[]
  >`
    with counts as (
      select count(*) filter (where status = 'new')::int as new,
             count(*) filter (where status = 'duplicate')::int as duplicate,
             count(*) filter (where status = 'conflict')::int as conflict
      from public.import_rows where org_id = ${ctx.orgId} and batch_id = ${ctx.jobId}
    )
    update public.import_batches b
    set status = 'previewed', new_count = c.new, duplicate_count = c.duplicate, conflict_count = c.conflict
    from counts c
    where b.org_id = ${ctx.orgId} and b.id = ${ctx.jobId}
    returning b.entry_count as entries, b.new_count as new, b.duplicate_count as duplicate,
              b.conflict_count as conflict, b.problem_count as problems`;
  return { batch_id: ctx.jobId, ...batch };
}

async function readAccount(ctx: StepContext, accountId: string): Promise<Account> {
  const [account] = await ctx.sql<Account[]>`
    select a.id, a.currency, a.number_hint, c.minor_units
    from public.accounts a join public.currencies c on c.code = a.currency
    where a.org_id = ${ctx.orgId} and a.id = ${accountId} and a.deleted_at is null`;
  if (!account) throw new JobFailure('IMPORT_ACCOUNT_NOT_FOUND', 'No live account with this id in the organization.');
  return account;
}

/** The file, from the organization's folder of the imports bucket, within the size limit. */
async function readFile(ctx: StepContext, path: string): Promise<Uint8Array> {
  const notFound = new JobFailure('IMPORT_FILE_NOT_FOUND', `No file ${path} in the organization's imports.`);
  if (!path.startsWith(`${ctx.orgId}/`)) throw notFound;
  const [object] = await ctx.sql<{ size: string | null }[]>`
    select o.metadata ->> 'size' as size from storage.objects o where o.bucket_id = ${importsBucket} and o.name = ${path}`;
  if (!object) throw notFound;
  const tooLarge = new JobFailure(
    'IMPORT_FILE_TOO_LARGE',
    `The file is larger than ${importMaxBytes / 1024 / 1024} MiB: split the statement into shorter periods.`,
  );
  if (Number(object.size ?? 0) > importMaxBytes) throw tooLarge;
  const bytes = await ctx.storage.download(importsBucket, path);
  if (bytes.length > importMaxBytes) throw tooLarge;
  return bytes;
}

/** How to read the file: the account's currency, and the mapping the job or the account names. */
async function parseOptions(ctx: StepContext, params: ImportPreviewParams, account: Account): Promise<ParseOptions> {
  const saved = await savedMapping(ctx, params);
  return {
    currency: account.currency,
    currencyExponent: account.minor_units,
    mapping: params.mapping ?? saved.mapping,
    preset: params.preset ?? saved.preset,
    dateOrder: params.date_order,
  };
}

/** The account's saved CSV mapping, unless the job names its own mapping or preset. */
async function savedMapping(
  ctx: StepContext,
  params: ImportPreviewParams,
): Promise<{ mapping?: CsvMappingOverride; preset?: string }> {
  if (params.mapping || params.preset) return {};
  const [saved] = await ctx.sql<{ mapping: unknown; preset: string | null }[]>`
    select m.mapping, m.preset from public.import_mappings m
    where m.org_id = ${ctx.orgId} and m.account_id = ${params.account_id}`;
  if (!saved) return {};
  const mapping = csvMappingOverrideSchema.safeParse(saved.mapping);
  if (!mapping.success) {
    throw new JobFailure(
      'IMPORT_MAPPING_INVALID',
      `The account's saved mapping cannot be used: ${mapping.error.issues[0]?.message}.`,
    );
  }
  return { mapping: mapping.data, preset: saved.preset ?? undefined };
}

/** A statement of another currency, or naming another account than this one's number, is refused whole. */
function checkStatementFitsAccount(statement: Pick<Statement, 'currency' | 'account'>, account: Account): void {
  if (statement.currency !== account.currency) {
    throw new JobFailure(
      'IMPORT_CURRENCY_MISMATCH',
      `The statement is in ${statement.currency}; the account is in ${account.currency}.`,
    );
  }
  const digits = (s: string) => s.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
  const hint = account.number_hint ? digits(account.number_hint) : '';
  if (statement.account && hint && !digits(statement.account).endsWith(hint)) {
    throw new JobFailure(
      'IMPORT_ACCOUNT_MISMATCH',
      `The statement is of account ${statement.account}, which does not end in this account's ${account.number_hint}.`,
    );
  }
}

/** The problem that refused the file, as the job's failure: its code and where it is. */
function refusal(problem: ParseProblem | undefined): JobFailure {
  if (!problem) return new JobFailure('IMPORT_FILE_MALFORMED', 'The file could not be read.');
  const code = (problem.code in errorCodes ? problem.code : 'IMPORT_FILE_MALFORMED') as ErrorCode;
  return new JobFailure(code, problem.line === null ? problem.message : `Line ${problem.line}: ${problem.message}`);
}
