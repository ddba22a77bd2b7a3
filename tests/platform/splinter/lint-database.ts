import fs from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { parse } from 'smol-toml';

/** One row of splinter's common lint interface. */
export interface Finding {
  name: string;
  level: 'ERROR' | 'WARN' | 'INFO';
  detail: string;
  cache_key: string;
}

/** What splinter reports, and the lints that could not run here with the error that stopped each. */
export interface LintReport {
  findings: Finding[];
  notRun: { lint: string; error: string }[];
}

const root = path.resolve(import.meta.dirname, '../../..');

/**
 * splinter.sql is one `union all` of every lint (see its header). Each runs on its own here, in a
 * savepoint, so that a lint this database cannot run is named in the report instead of failing
 * them all.
 */
function lints(): { lint: string; query: string }[] {
  const text = fs.readFileSync(path.join(import.meta.dirname, 'splinter.sql'), 'utf8');
  const preamble = "set local search_path = '';";
  return text
    .slice(text.indexOf(preamble) + preamble.length)
    .split('\nunion all\n')
    .map((query) => ({ lint: query.match(/'(\w+)' as name/)?.[1] ?? query.slice(0, 60), query }));
}

/**
 * Runs splinter against the database as its superuser, as the advisors do. Several lints look
 * only at the schemas the Data API exposes, which they read from `pgrst.db_schemas`; hosted
 * projects set it, a local database has none, so it is set here from config.toml's [api] schemas.
 */
export async function lintDatabase(dbUrl: string): Promise<LintReport> {
  const config = parse(fs.readFileSync(path.join(root, 'supabase/config.toml'), 'utf8')) as {
    api: { schemas: string[] };
  };
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  const report: LintReport = { findings: [], notRun: [] };
  try {
    await sql.begin(async (sql) => {
      await sql`select set_config('search_path', '', true),
                       set_config('pgrst.db_schemas', ${config.api.schemas.join(',')}, true)`;
      for (const { lint, query } of lints()) {
        try {
          report.findings.push(
            ...(await sql.savepoint((sql) =>
              sql.unsafe<Finding[]>(`select name, level, detail, cache_key from ${query} as lint`),
            )),
          );
        } catch (error) {
          report.notRun.push({ lint, error: (error as Error).message });
        }
      }
    });
  } finally {
    await sql.end();
  }
  return report;
}
