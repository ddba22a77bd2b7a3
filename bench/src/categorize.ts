import fs from 'node:fs';
import path from 'node:path';
import { connect } from '@westwallet/devstack/database';
import type postgres from 'postgres';
import { household } from './categorize-households.ts';
import { openBenchDatabase, openServer } from './database.ts';
import type { BenchOptions } from './options.ts';

/**
 * `npm run bench -- --categorize`: the categorizer's accuracy without an LLM (issue 29). Realistic
 * households (categorize-households.ts) get 0, 1 or 3 months of history they categorized
 * themselves; then three held-out months are written one transaction at a time, as the app and
 * imports write them, and the cascade on insert (rules, history, merchant table) files them. After
 * each, the household fixes what is wrong, as a person would. Per stage: coverage (the share of
 * held-out transactions it filed) and precision (the share of those filed right).
 * Target: with three months of history, >= 90 % precision at >= 80 % coverage.
 */
const HELD_OUT_MONTHS = 3;
const HISTORIES = [0, 1, 3];
const TARGET = { history: 3, precision: 0.9, coverage: 0.8 };

interface StageCount {
  filed: number;
  right: number;
}

interface Outcome {
  historyMonths: number;
  households: number;
  transactions: number;
  stages: Record<string, StageCount>;
  coverage: number;
  precision: number;
  /** Suggested but not applied (history below 0.5): how often that suggestion was right. */
  offered: StageCount;
  insertMs: number;
  /** The cascade alone (rules, history, merchants), per transaction, over a household's rows. */
  cascadeMs: number;
}

export async function runCategorize(options: BenchOptions, log: (line: string) => void): Promise<void> {
  const startedAt = new Date().toISOString();
  const households = options.quick ? 3 : 12;
  const server = await openServer(options.databaseUrl);
  try {
    const database = await openBenchDatabase(server.url, `${options.databaseName}_categorize`, { categorize: 1 }, true);
    const sql = connect(database.url, { max: 1 });
    try {
      const outcomes: Outcome[] = [];
      for (const historyMonths of HISTORIES) {
        const outcome = await measureHistory(sql, historyMonths, households);
        outcomes.push(outcome);
        log(
          `${historyMonths} months of history: coverage ${pct(outcome.coverage)}, precision ${pct(outcome.precision)} ` +
            `over ${outcome.transactions} held-out transactions (${outcome.insertMs.toFixed(2)} ms per insert, ` +
            `cascade ${outcome.cascadeMs.toFixed(2)} ms)`,
        );
      }
      const met = outcomes.find((o) => o.historyMonths === TARGET.history);
      const report = { startedAt, households, heldOutMonths: HELD_OUT_MONTHS, target: TARGET, outcomes };
      const passed = Boolean(met && met.precision >= TARGET.precision && met.coverage >= TARGET.coverage);
      write(report, markdown(report, passed), options);
      log(`target (3 months: precision >= 90 % at coverage >= 80 %): ${passed ? 'met' : 'NOT met'}`);
      if (!passed && !options.quick) process.exitCode = 1;
    } finally {
      await sql.end();
    }
  } finally {
    await server.stop();
  }
}

async function measureHistory(sql: postgres.Sql, historyMonths: number, households: number): Promise<Outcome> {
  const stages: Record<string, StageCount> = {};
  const offered: StageCount = { filed: 0, right: 0 };
  let transactions = 0;
  let insertMs = 0;
  let lastOrg = '';
  for (let h = 0; h < households; h++) {
    const [org] = await sql`insert into public.organizations (name, base_currency, locale)
                            values (${`Household ${historyMonths}-${h}`}, 'SEK', 'sv') returning id`;
    const categories = new Map(
      (await sql`select key, id from public.categories where org_id = ${org.id} and key is not null`).map((c) => [
        c.key as string,
        c.id as string,
      ]),
    );
    const keyOf = new Map([...categories].map(([key, id]) => [id, key]));
    lastOrg = org.id;
    for (const draft of household(1000 * historyMonths + h, historyMonths + HELD_OUT_MONTHS)) {
      const bookedOn = `2026-${String(draft.month).padStart(2, '0')}-${String(draft.day).padStart(2, '0')}`;
      const truth = categories.get(draft.truth) as string;
      const given = draft.month <= historyMonths ? truth : null;
      const started = performance.now();
      const [tx] = await sql`
        insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, counterparty, category_id)
        values (${org.id}, ${draft.kind}, ${bookedOn}, ${draft.amountMinor}, 'SEK', ${draft.counterparty}, ${given})
        returning id, category_id`;
      if (given) continue;
      insertMs += performance.now() - started;
      transactions += 1;
      const [made] = await sql`select stage, category_id, applied from public.transaction_categorizations
                               where transaction_id = ${tx.id}`;
      if (made?.applied) {
        stages[made.stage] ??= { filed: 0, right: 0 };
        const count = stages[made.stage];
        count.filed += 1;
        if (keyOf.get(tx.category_id) === draft.truth) count.right += 1;
      } else if (made?.category_id) {
        offered.filed += 1;
        if (keyOf.get(made.category_id) === draft.truth) offered.right += 1;
      }
      // The household fixes what is wrong or missing, as a person would in the app.
      if (tx.category_id !== truth)
        await sql`update public.transactions set category_id = ${truth} where id = ${tx.id}`;
    }
  }
  const started = performance.now();
  const [{ n }] = await sql`
    select count(*)::int as n from public.transactions t,
      lateral private.suggest_category(t.org_id, t.kind::text, t.counterparty, t.description, t.amount_minor,
                                       t.account_id, transaction_id => t.id) s
    where t.org_id = ${lastOrg}`;
  const cascadeMs = (performance.now() - started) / Math.max(n, 1);
  const filed = Object.values(stages).reduce((sum, s) => sum + s.filed, 0);
  const right = Object.values(stages).reduce((sum, s) => sum + s.right, 0);
  return {
    historyMonths,
    households,
    transactions,
    stages,
    coverage: filed / transactions,
    precision: right / Math.max(filed, 1),
    offered,
    insertMs: insertMs / Math.max(transactions, 1),
    cascadeMs,
  };
}

const pct = (share: number) => `${(100 * share).toFixed(1)} %`;

function markdown(
  report: { startedAt: string; households: number; heldOutMonths: number; outcomes: Outcome[] },
  passed: boolean,
): string {
  const lines = [
    `# Categorization accuracy, ${report.startedAt}`,
    '',
    `${report.households} households per row, ${report.heldOutMonths} held-out months each, no LLM.`,
    `Target (3 months of history): precision >= 90 % at coverage >= 80 %: **${passed ? 'met' : 'not met'}**.`,
    '',
    '| history | held-out | coverage | precision | rule | history stage | merchant | offered, right | ms per insert | cascade ms |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const cell = (s?: StageCount) => (s ? `${s.filed} (${pct(s.right / Math.max(s.filed, 1))} right)` : '0');
  for (const o of report.outcomes) {
    lines.push(
      `| ${o.historyMonths} months | ${o.transactions} | ${pct(o.coverage)} | ${pct(o.precision)} | ${cell(o.stages.rule)} | ` +
        `${cell(o.stages.history)} | ${cell(o.stages.merchant)} | ${cell(o.offered)} | ${o.insertMs.toFixed(2)} | ${o.cascadeMs.toFixed(2)} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function write(report: object, text: string, options: BenchOptions) {
  fs.mkdirSync(options.outDir, { recursive: true });
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const base = path.join(options.outDir, `${stamp}-categorize${options.quick ? '-quick' : ''}`);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(`${base}.md`, text);
}
