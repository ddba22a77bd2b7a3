import { type ChildProcess, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import { freePort, startStack } from '@westwallet/devstack';
import { connect } from '@westwallet/devstack/database';
import WebSocket from 'ws';
import type { BenchOptions } from './options.ts';
import type { RealtimeClientMessage } from './realtime-client.ts';
import { type Percentiles, percentiles } from './requests.ts';

/** How hard each phase asks: the figures, or a few of each for --quick. */
const SIZES = {
  full: { subscribers: 100, latencyMessages: 300, connections: 1000, topics: 20, batches: 200 },
  quick: { subscribers: 10, latencyMessages: 20, connections: 50, topics: 5, batches: 10 },
};
/** Spacing of the latency phase's writes: a steady stream, not a burst. */
const LATENCY_SPACING_MS = 20;

interface Phase {
  connections: number;
  topics: number;
  messages: number;
  deliveries: number;
  expectedDeliveries: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  latency: Percentiles;
  seconds: number;
  deliveriesPerSecond: number;
  messagesPerSecond: number;
}

export interface RealtimeReport {
  startedAt: string;
  quick: boolean;
  machine: { cpus: number; cpuModel: string; node: string };
  /** How database broadcasts reached the server: the WAL, or the NOTIFY fallback. */
  mode: string;
  latency: Phase;
  throughput: Phase;
  targets: { label: string; value: number; limit: number; met: boolean }[];
}

/**
 * `npm run bench -- --realtime`: a throwaway stack in this process, subscribers (realtime-js) in
 * a child. Latency: 100 subscribers of one private org channel, each database broadcast
 * (realtime.send in its own transaction) timed from the start of its writing statement to each
 * subscriber's callback. Throughput: 1,000 connections on 20 topics, 20 messages a transaction
 * as fast as the writer goes. Both check that every subscriber got every message once, in order.
 */
export async function runRealtime(options: BenchOptions, log: (line: string) => void): Promise<void> {
  const startedAt = new Date().toISOString();
  const size = options.quick ? SIZES.quick : SIZES.full;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'westwallet-bench-realtime-'));
  const stack = await startStack({
    kind: 'test',
    stateDir,
    apiPort: await freePort(),
    dbPort: await freePort(),
    databaseUrl: options.databaseUrl,
    quiet: true,
  });
  const sql = connect(stack.dbUrl, { max: 1 });
  const child = fork(path.join(import.meta.dirname, 'realtime-client.ts'), [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = clientOf(child);
  try {
    const [{ mode }] = await sql<{ mode: string }[]>`
      select case when current_setting('wal_level') = 'logical' then 'WAL (logical replication)' else 'NOTIFY' end as mode`;
    log(`stack on ${stack.apiUrl}; database broadcasts by ${mode}`);
    const user = await signUp(stack.apiUrl, stack.keys);
    const base = { url: stack.apiUrl, apiKey: stack.keys.publishableKey };

    // Latency: one private topic, a steady stream.
    const orgTopic = `org:${user.orgId}`;
    await ask({
      connect: { ...base, token: user.token, topics: [orgTopic], private: true, connections: size.subscribers },
    });
    log(`${size.subscribers} subscribers joined ${orgTopic}`);
    const latencyStart = Date.now();
    for (let seq = 0; seq < size.latencyMessages; seq++) {
      await sql`select realtime.send(jsonb_build_object('seq', ${seq}::int, 'sent', ${now()}::float8), 'bench', ${orgTopic}, true)`;
      await new Promise((resolve) => setTimeout(resolve, LATENCY_SPACING_MS));
    }
    const latency = await settle(ask, size.latencyMessages, size.subscribers, latencyStart, size.latencyMessages);
    log(phaseLine('latency', latency));
    await ask({ close: true });

    // Throughput: many connections, many topics, the writer as fast as it goes.
    const topics = Array.from({ length: size.topics }, (_, i) => `bench-${i}`);
    await ask({ connect: { ...base, topics, private: false, connections: size.connections } });
    log(`${size.connections} connections joined ${size.topics} topics`);
    const throughputStart = Date.now();
    for (let batch = 0; batch < size.batches; batch++) {
      await sql`
        select realtime.send(jsonb_build_object('seq', ${batch}::int, 'sent', ${now()}::float8), 'bench', 'bench-' || t, false)
        from generate_series(0, ${size.topics - 1}::int) t`;
    }
    const throughput = await settle(ask, size.batches, size.connections, throughputStart, size.batches * size.topics);
    log(phaseLine('throughput', throughput));
    await ask({ close: true });

    const report: RealtimeReport = {
      startedAt,
      quick: options.quick,
      machine: { cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version },
      mode,
      latency,
      throughput,
      targets: [
        {
          label: `p95 latency at ${size.subscribers} subscribers (ms)`,
          value: latency.latency.p95,
          limit: 50,
          met: latency.latency.p95 <= 50,
        },
        {
          label: 'messages lost or delivered twice',
          value: latency.lost + latency.duplicated + throughput.lost + throughput.duplicated,
          limit: 0,
          met: latency.lost + latency.duplicated + throughput.lost + throughput.duplicated === 0,
        },
      ],
    };
    const files = writeReport(report, options.outDir);
    console.log(`\n${markdown(report)}`);
    log(`report: ${files.md} and ${files.json}`);
    if (options.quick) log('--quick: a few subscribers and messages check the harness; the figures mean nothing');
  } finally {
    child.kill();
    await sql.end();
    await stack.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

const now = () => performance.timeOrigin + performance.now();

/** A user with a confirmed address (the admin API, as sign-ups wait for their confirmation), signed in. */
export async function signUp(apiUrl: string, keys: { publishableKey: string; secretKey: string }) {
  const options = {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  };
  const client = createClient(apiUrl, keys.publishableKey, options);
  const email = `bench-${Date.now()}@bench.westwallet.test`;
  const password = `pw-${Math.random().toString(36).slice(2)}-bench`;
  const admin = createClient(apiUrl, keys.secretKey, options).auth.admin;
  const { data, error } = await admin.createUser({ email, password, email_confirm: true });
  if (error || !data.user) throw new Error(`sign-up failed: ${error?.message}`);
  const { session } = (await client.auth.signInWithPassword({ email, password })).data;
  const org = await client.from('organizations').select('id').eq('created_by', data.user.id).single();
  if (!session || org.error) throw new Error('no session or household for the benchmark user');
  return { token: session.access_token, orgId: org.data.id as string };
}

/** Waits until every delivery arrived (or 10 s of silence), then checks and measures them. */
async function settle(
  ask: (message: RealtimeClientMessage) => Promise<unknown>,
  perSubscriber: number,
  connections: number,
  started: number,
  messages: number,
): Promise<Phase> {
  type Report = { latencies: number[]; lastReceived: number; subscribers: { topic: string; seqs: number[] }[] };
  let report = (await ask({ report: true })) as Report;
  const expected = perSubscriber * connections;
  for (let waited = 0; report.latencies.length < expected && waited < 10_000; waited += 100) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    report = (await ask({ report: true })) as Report;
  }
  let lost = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  for (const { seqs } of report.subscribers) {
    const unique = new Set(seqs);
    duplicated += seqs.length - unique.size;
    lost += perSubscriber - unique.size;
    outOfOrder += seqs.filter((seq, i) => i > 0 && seq < (seqs[i - 1] as number)).length;
  }
  // Both are milliseconds since the epoch (the subscribers' clock is performance.timeOrigin-based).
  const seconds = Math.max(0.001, (report.lastReceived - started) / 1000);
  return {
    connections,
    topics: new Set(report.subscribers.map((s) => s.topic)).size,
    messages,
    deliveries: report.latencies.length,
    expectedDeliveries: expected,
    lost,
    duplicated,
    outOfOrder,
    latency: percentiles(report.latencies),
    seconds: Math.round(seconds * 1000) / 1000,
    deliveriesPerSecond: Math.round(report.latencies.length / seconds),
    messagesPerSecond: Math.round(messages / seconds),
  };
}

function phaseLine(name: string, phase: Phase): string {
  return (
    `${name}: ${phase.connections} connections on ${phase.topics} topics, ${phase.deliveries}/${phase.expectedDeliveries} ` +
    `deliveries (lost ${phase.lost}, twice ${phase.duplicated}, out of order ${phase.outOfOrder}); ` +
    `p50 ${phase.latency.p50} ms, p95 ${phase.latency.p95} ms, p99 ${phase.latency.p99} ms; ` +
    `${phase.messagesPerSecond} messages/s, ${phase.deliveriesPerSecond} deliveries/s`
  );
}

function clientOf(child: ChildProcess) {
  return (message: RealtimeClientMessage) =>
    new Promise<unknown>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the subscribers' process exited (${code})`));
      child.once('exit', onExit);
      child.once('message', (reply: { error?: string }) => {
        child.off('exit', onExit);
        if (reply.error) reject(new Error(`the subscribers: ${reply.error}`));
        else resolve(reply);
      });
      child.send(message);
    });
}

function markdown(report: RealtimeReport): string {
  const row = (name: string, p: Phase) =>
    `| ${name} | ${p.connections} | ${p.topics} | ${p.messages} | ${p.deliveries}/${p.expectedDeliveries} | ${p.lost} | ${p.duplicated} | ${p.outOfOrder} | ${p.latency.p50} | ${p.latency.p95} | ${p.latency.p99} | ${p.messagesPerSecond} | ${p.deliveriesPerSecond} |`;
  return [
    `# Realtime benchmark ${report.startedAt}${report.quick ? ' (quick: the figures mean nothing)' : ''}`,
    '',
    `${report.machine.cpus} CPUs (${report.machine.cpuModel}), Node ${report.machine.node}; database broadcasts by ${report.mode}.`,
    'Latency: from the start of the statement that writes a database broadcast (its own transaction, so commit',
    "included) to each subscriber's callback; the subscribers run in a process of their own.",
    '',
    '| phase | connections | topics | messages | deliveries | lost | twice | out of order | p50 ms | p95 ms | p99 ms | messages/s | deliveries/s |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    row('latency (steady, one private topic)', report.latency),
    row('throughput (writer flat out)', report.throughput),
    '',
    '## Targets',
    '',
    '| target | value | limit | met |',
    '|---|---|---|---|',
    ...report.targets.map((t) => `| ${t.label} | ${t.value} | ${t.limit} | ${t.met ? 'yes' : 'NO'} |`),
    '',
  ].join('\n');
}

function writeReport(report: RealtimeReport, outDir: string): { json: string; md: string } {
  fs.mkdirSync(outDir, { recursive: true });
  const stamp = report.startedAt.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  const base = path.join(outDir, `${stamp}-realtime${report.quick ? '-quick' : ''}`);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(`${base}.md`, markdown(report));
  return { json: `${base}.json`, md: `${base}.md` };
}
