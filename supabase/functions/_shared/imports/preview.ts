import { type ErrorCode, errorCodes } from '@westwallet/shared';
import {
  classifyEntries,
  type CsvMappingOverride,
  csvMappingOverrideSchema,
  importMaxBytes,
  importMaxProblems,
  type ImportPreviewParams,
  importPreviewParams,
  type ParseProblem,
  parseStatement,
  type Statement,
} from '@westwallet/shared/imports';
import { JobFailure, type JobKind, type StepContext } from '../jobs/kind.ts';
import { accountTransactions, dayRange, importsBucket } from './existing.ts';

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

/** Rows per insert: 15 columns each, under Postgres' 65,535 parameters a statement. */
const insertChunk = 4000;

/**
 * `import.preview`: reads the statement file, stages its entries as a batch (`import_batches`,
 * `import_rows`) with what each is (new, duplicate of which transaction, conflict) and the
 * file's own problems by line. Writes no transaction. A file that cannot be read as a whole ends
 * the job `failed` with the problem's code and line, and writes nothing.
 */
export const importPreview: JobKind<ImportPreviewParams, Record<string, never>, PreviewResult> = {
  name: 'import.preview',
  role: 'member',
  params: importPreviewParams,
  // One step reads the whole file: a 100,000-line statement takes a few seconds here.
  stepTimeoutMs: 120_000,
  initialState: () => ({}),
  async step(ctx, params, state) {
    const account = await readAccount(ctx, params.account_id);
    const bytes = await readFile(ctx, params.path);
    const saved = await savedMapping(ctx, params);
    const parsed = parseStatement(bytes, {
      format: params.format,
      currency: account.currency,
      currencyExponent: account.minor_units,
      mapping: params.mapping ?? saved.mapping,
      preset: params.preset ?? saved.preset,
      dateOrder: params.date_order,
    });
    if (!parsed.statement) throw refusal(parsed.problems[0]);
    const statement = parsed.statement;
    checkStatementFitsAccount(statement, account);

    // Entries in another currency than the account's cannot be its transactions as they stand.
    const problems: ParseProblem[] = [...parsed.problems];
    const entries = statement.entries.filter((entry) => {
      if (entry.currency === account.currency) return true;
      problems.push({
        line: entry.line,
        code: 'IMPORT_CURRENCY_MISMATCH',
        message: `The entry is in ${entry.currency}; the account is in ${account.currency}.`,
      });
      return false;
    });
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));

    const range = entries.length ? dayRange(entries.map((e) => e.bookedOn)) : null;
    const existing = range ? await accountTransactions(ctx.sql, ctx.orgId, account.id, range.from, range.to) : [];
    const verdicts = classifyEntries(entries, existing);
    const count = (status: string) => verdicts.filter((v) => v.status === status).length;
    const result: PreviewResult = {
      batch_id: ctx.jobId,
      entries: entries.length,
      new: count('new'),
      duplicate: count('duplicate'),
      conflict: count('conflict'),
      problems: problems.length,
    };

    await ctx.sql.begin(async (sql) => {
      // A step that runs again replaces what it staged before.
      await sql`delete from public.import_batches where org_id = ${ctx.orgId} and id = ${ctx.jobId}`;
      await sql`
        insert into public.import_batches ${
        sql({
          id: ctx.jobId,
          org_id: ctx.orgId,
          account_id: account.id,
          file_path: params.path,
          format: statement.format,
          mapping: parsed.csv ? sql.json(parsed.csv.mapping) : null,
          preset: parsed.csv?.preset ?? null,
          statement_account: statement.account?.slice(0, 64) ?? null,
          currency: account.currency,
          opening_balance_minor: statement.openingBalanceMinor,
          opening_on: statement.openingOn,
          closing_balance_minor: statement.closingBalanceMinor,
          closing_on: statement.closingOn,
          entry_count: result.entries,
          new_count: result.new,
          duplicate_count: result.duplicate,
          conflict_count: result.conflict,
          problems: sql.json(problems.slice(0, importMaxProblems) as never),
          problem_count: problems.length,
          created_by: ctx.requestedBy,
        })
      }`;
      const rows = entries.map((entry, i) => {
        const verdict = verdicts[i];
        return {
          org_id: ctx.orgId,
          batch_id: ctx.jobId,
          line: entry.line,
          booked_on: entry.bookedOn,
          value_on: entry.valueOn,
          amount_minor: entry.amountMinor,
          currency: entry.currency,
          counterparty: entry.counterparty,
          counterparty_account: entry.counterpartyAccount?.slice(0, 64) ?? null,
          text: entry.text,
          bank_reference: entry.bankReference,
          status: verdict.status,
          match_reason: verdict.reason,
          duplicate_of: verdict.transactionId,
          decision: verdict.status === 'new' ? 'import' : 'skip',
        };
      });
      for (let at = 0; at < rows.length; at += insertChunk) {
        await sql`insert into public.import_rows ${sql(rows.slice(at, at + insertChunk))}`;
      }
    });
    const message =
      `${result.new} new, ${result.duplicate} duplicates, ${result.conflict} conflicts, ${result.problems} problems`;
    return { state, progress: { fraction: 1, message }, done: result };
  },
};

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
function checkStatementFitsAccount(statement: Statement, account: Account): void {
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
