import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { target } from '../helpers/target.ts';

const run = promisify(execFile);

// The benchmark harness end to end on a tiny data set: generator, checks, every scenario and
// the report. It checks that the harness works, never its timings (bench/README.md).
describe('npm run bench -- --quick', () => {
  it('loads a data set that passes its checks, runs every scenario and writes the report', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'westwallet-bench-'));
    try {
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', 'bench/src/cli.ts', '--quick', '--fresh', '--database-url', target.dbUrl, '--out', out],
        { timeout: 170_000, maxBuffer: 16 * 1024 * 1024 },
      );
      const files = fs.readdirSync(out);
      const json = files.find((f) => f.endsWith('-quick.json'));
      expect(json, stdout).toBeDefined();
      expect(files).toContain(json?.replace(/\.json$/, '.md'));
      const report = JSON.parse(fs.readFileSync(path.join(out, json as string), 'utf8'));

      expect(report.machine.cpus).toBeGreaterThan(0);
      expect(report.machine.postgres).toMatch(/^PostgreSQL 17/);
      expect(report.load.counts.organizations).toBe(report.params.households + 1);
      expect(report.load.counts.company_transactions).toBe(report.params.companyTransactions);
      expect(report.load.counts.transactions).toBe(
        report.params.companyTransactions + report.params.households * report.params.householdTransactions,
      );
      for (const kind of ['transfers', 'split_transactions', 'foreign_currency', 'contract_payments']) {
        expect(report.load.counts[kind], kind).toBeGreaterThan(0);
      }
      expect(report.load.checks).toHaveLength(4);
      expect(report.answers).toHaveLength(9);
      expect(report.machine.roleSettings).toMatchObject({ plan_cache_mode: 'force_generic_plan' });

      const keys = report.scenarios.map((s: { key: string }) => s.key);
      expect(keys).toEqual([
        'list_newest',
        'list_newest_superuser',
        'list_keyset_page_101',
        'list_small_household',
        'list_small_household_superuser',
        'expense_stats',
        'expense_stats_raw',
        'dashboard',
        'dashboard_raw',
        'search',
        'sync_company',
        'sync_household',
        'insert_spread',
        'insert_hot',
        'insert_without_triggers',
      ]);
      for (const s of report.scenarios) {
        expect(s.requests, s.key).toBeGreaterThan(0);
        expect(s.p50, s.key).toBeLessThanOrEqual(s.p95);
        expect(s.database.p50, s.key).toBeGreaterThan(0);
        // Linux says how long each backend waited for a CPU and what it read from storage
        // (/proc/self/schedstat and /proc/self/io); a failed read would leave them null.
        if (process.platform === 'linux') {
          expect(s.running, s.key).not.toBeNull();
          expect(s.storageReadKiB, s.key).toBeGreaterThanOrEqual(0);
        }
      }
      expect(report.targets).toHaveLength(11);
      expect(report.afterWrites[0]).toMatch(/monthly totals still equal a fresh aggregate/);
      expect(report.afterWrites[1]).toMatch(
        /folded the [1-9]\d* writes' pending lines .* still equal a fresh aggregate/,
      );
      expect(fs.readFileSync(path.join(out, json?.replace(/\.json$/, '.md') as string), 'utf8')).toContain(
        '## Targets',
      );
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);

  it('reuses the loaded data set, with nothing left pending by the earlier run and the sums intact', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'westwallet-bench-'));
    try {
      const { stdout } = await run(
        process.execPath,
        ['--import', 'tsx', 'bench/src/cli.ts', '--quick', '--database-url', target.dbUrl, '--out', out],
        { timeout: 170_000, maxBuffer: 16 * 1024 * 1024 },
      );
      const json = fs.readdirSync(out).find((f) => f.endsWith('-quick.json'));
      expect(json, stdout).toBeDefined();
      const report = JSON.parse(fs.readFileSync(path.join(out, json as string), 'utf8'));
      expect(report.database.reused).toBe(true);
      expect(report.load).toBeNull();
      // The first test's run folded its own inserts' lines at its end ...
      expect(report.database.foldedPending).toBe(0);
      // ... without changing a sum: the answers match the raw rows, and so do the totals after
      // this run's own inserts, before and after it folds them.
      expect(report.answers).toHaveLength(9);
      expect(report.afterWrites[0]).toMatch(/monthly totals still equal a fresh aggregate/);
      expect(report.afterWrites[1]).toMatch(
        /folded the [1-9]\d* writes' pending lines .* still equal a fresh aggregate/,
      );
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 180_000);

  // The insert baseline is the table without our triggers, not without its own constraints.
  it('keeps the foreign keys of transactions in the insert baseline, which refuses what they refuse', async () => {
    const url = new URL(target.dbUrl);
    url.pathname = '/westwallet_bench_quick';
    const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
    try {
      const definitions = (table: string) => sql<{ def: string }[]>`
        -- The copy's are NOT VALID: its rows came from the table, checked there.
        select replace(pg_get_constraintdef(oid), ' NOT VALID', '') as def from pg_constraint
        where conrelid = ${table}::regclass and contype = 'f' order by 1`;
      const real = await definitions('public.transactions');
      expect(real.length).toBeGreaterThan(4);
      expect(await definitions('bench.transactions_plain')).toEqual(real);
      const [row] = await sql`select org_id, currency from bench.transactions_plain limit 1`;
      await expect(
        sql`insert into bench.transactions_plain (org_id, kind, booked_on, amount_minor, currency, category_id)
            values (${row.org_id}, 'expense', current_date, 100, ${row.currency}, gen_random_uuid())`,
      ).rejects.toMatchObject({ code: '23503' });
    } finally {
      await sql.end();
    }
  });

  // --api starts the whole local stack on the quick data set (the first test loaded it) and times
  // the app's requests through it with supabase-js; a few seconds.
  it('times the requests end to end through the stack beside their database time, with a profile', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'westwallet-bench-'));
    try {
      const { stdout } = await run(
        process.execPath,
        [
          '--import',
          'tsx',
          'bench/src/cli.ts',
          '--api',
          '--quick',
          '--profile',
          'simple_get',
          '--database-url',
          target.dbUrl,
          '--out',
          out,
        ],
        { timeout: 110_000, maxBuffer: 16 * 1024 * 1024 },
      );
      const json = fs.readdirSync(out).find((f) => f.endsWith('-api-quick.json'));
      expect(json, stdout).toBeDefined();
      const report = JSON.parse(fs.readFileSync(path.join(out, json as string), 'utf8'));
      expect(report.scenarios.map((s: { key: string; concurrency: number }) => `${s.key}@${s.concurrency}`)).toEqual([
        'list_newest@1',
        'list_keyset_page_101@1',
        'expense_stats@1',
        'dashboard@1',
        'search@1',
        'insert@1',
        'simple_get@1',
        'simple_get@8',
        'simple_get_floor@1',
        'simple_get_floor@8',
      ]);
      for (const s of report.scenarios) {
        expect(s.requests, s.key).toBeGreaterThan(0);
        expect(s.endToEnd.p50, s.key).toBeGreaterThan(0);
        expect(s.endToEnd.p50, s.key).toBeLessThanOrEqual(s.endToEnd.p95);
        expect(s.database.database.p50, s.key).toBeGreaterThan(0);
        expect(s.stackCpuMs, s.key).toBeGreaterThan(0);
        expect(s.clientCpuMs, s.key).toBeGreaterThan(0);
        if (s.postgresCpuMs !== null) expect(s.postgresCpuMs, s.key).toBeGreaterThanOrEqual(0);
      }
      expect(report.targets).toHaveLength(16);
      expect(report.profile.requests).toBeGreaterThan(0);
      expect(report.profile.byPlace.length).toBeGreaterThan(0);
      expect(fs.existsSync(report.profile.file)).toBe(true);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);

  // --realtime starts a throwaway stack (on DATABASE_URL's server if the suites use one) and
  // times database broadcasts to realtime-js subscribers in a child process; a few seconds.
  it('times database broadcasts to realtime subscribers and finds none lost, twice or out of order', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'westwallet-bench-'));
    try {
      const { stdout } = await run(
        process.execPath,
        [
          '--import',
          'tsx',
          'bench/src/cli.ts',
          '--realtime',
          '--quick',
          ...(process.env.DATABASE_URL ? ['--database-url', process.env.DATABASE_URL] : []),
          '--out',
          out,
        ],
        { timeout: 110_000, maxBuffer: 16 * 1024 * 1024 },
      );
      const json = fs.readdirSync(out).find((f) => f.endsWith('-realtime-quick.json'));
      expect(json, stdout).toBeDefined();
      const report = JSON.parse(fs.readFileSync(path.join(out, json as string), 'utf8'));
      for (const phase of [report.latency, report.throughput]) {
        expect(phase.deliveries).toBe(phase.expectedDeliveries);
        expect(phase.deliveries).toBeGreaterThan(0);
        expect({ lost: phase.lost, duplicated: phase.duplicated, outOfOrder: phase.outOfOrder }).toEqual({
          lost: 0,
          duplicated: 0,
          outOfOrder: 0,
        });
        expect(phase.latency.p50).toBeLessThanOrEqual(phase.latency.p95);
      }
      expect(report.targets).toHaveLength(2);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
