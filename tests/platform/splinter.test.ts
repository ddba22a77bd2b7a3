import { describe, expect, inject, it } from 'vitest';
import type { Finding } from './splinter/lint-database.ts';

/**
 * Supabase's linter (splinter, vendored in ./splinter) on the database as the migrations left it:
 * the global setup runs it before any suite creates its probe objects in public.
 *
 * Warnings and errors must stay at zero. INFO findings are advice to weigh, and some mean nothing
 * on a throwaway database (`unused_index`: no traffic has used any index yet), so they are not
 * asserted. The pg_graphql lints (`pg_graphql_*_table_exposed`) look at what pg_graphql exposes;
 * the local stack has no pg_graphql, so here they find nothing, while a `supabase start` or hosted
 * target (SUPABASE_URL) runs them for real.
 */
const { findings, notRun } = inject('splinter');

// splinter escapes the backticks of its Markdown details; they read better without.
const listed = (list: Finding[]) =>
  list.map((finding) => `${finding.level} ${finding.name}: ${finding.detail.replaceAll('\\`', '`')}`);

describe('splinter, what `supabase db advisors` runs', () => {
  it('runs every lint on this database', () => {
    expect(notRun).toEqual([]);
  });

  it('reports no warning or error about what the migrations created', () => {
    const problems = listed(findings.filter((finding) => finding.level !== 'INFO'));
    expect(problems, `splinter reports:\n${problems.join('\n')}\n`).toEqual([]);
  });
});
