import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { freePort, startStack } from '@westwallet/devstack';
import { connect } from '@westwallet/devstack/database';
import { Webhook } from 'standardwebhooks';
import WebSocket from 'ws';
import type { BenchOptions } from './options.ts';
import { signUp } from './realtime.ts';
import { type Percentiles, percentiles } from './requests.ts';

/** How hard each phase asks: the figures, or a few of each for --quick. */
const SIZES = {
  full: { latencyWrites: 200, throughputEvents: 3000, batch: 500 },
  quick: { latencyWrites: 10, throughputEvents: 50, batch: 25 },
};
/** Spacing of the latency phase's writes: a steady stream of single writes, not a burst. */
const LATENCY_SPACING_MS = 50;

interface Phase {
  events: number;
  delivered: number;
  /** Events whose webhook-id arrived more than once (allowed: at least once; counted). */
  duplicated: number;
  /** Deliveries whose signature did not verify with the endpoint's secret. */
  badSignatures: number;
  /** From the start of each write's request (commit included) to its first attempt's arrival. */
  firstAttempt: Percentiles;
  seconds: number;
  deliveriesPerSecond: number;
}

export interface WebhooksReport {
  startedAt: string;
  quick: boolean;
  machine: { cpus: number; cpuModel: string; node: string };
  latency: Phase;
  throughput: Phase;
  targets: { label: string; value: number; limit: number; met: boolean }[];
}

/**
 * `npm run bench -- --webhooks`: a throwaway stack in this process and a receiver on loopback.
 * Each write is a tag inserted through the Data API by an admin of a household with one standard
 * endpoint subscribed to `tag.created`, so an event goes the whole way: the audit trigger, the
 * delivery row and pgmq message, the kick after commit, webhooks-send (signing, the SSRF check,
 * the breaker's state read and written), the receiver. Latency: single writes spaced out, timed
 * from the start of the write's request to the arrival of its first attempt. Throughput: writes
 * of `batch` rows as fast as the Data API takes them, timed from the first write to the last
 * arrival.
 */
export async function runWebhooks(options: BenchOptions, log: (line: string) => void): Promise<void> {
  const startedAt = new Date().toISOString();
  const size = options.quick ? SIZES.quick : SIZES.full;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'westwallet-bench-webhooks-'));
  const stack = await startStack({
    kind: 'test',
    stateDir,
    apiPort: await freePort(),
    dbPort: await freePort(),
    databaseUrl: options.databaseUrl,
    quiet: true,
  });
  const sql = connect(stack.dbUrl, { max: 1 });
  const receiver = await startReceiver();
  try {
    await sql`update private.webhook_settings set allow_loopback = true`;
    const user = await signUp(stack.apiUrl, stack.keys);
    const client = createClient(stack.apiUrl, stack.keys.publishableKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never },
      global: { headers: { Authorization: `Bearer ${user.token}` } },
    });
    const { data: endpoint, error } = await client.rpc(
      'create_webhook_endpoint' as never,
      {
        org_id: user.orgId,
        url: receiver.url,
        event_types: ['tag.created'],
      } as never,
    );
    if (error) throw new Error(`create_webhook_endpoint: ${error.message}`);
    receiver.verifier = new Webhook((endpoint as { secret: string }).secret);
    log(`stack on ${stack.apiUrl}; receiver on ${receiver.url}`);

    // Latency: one write at a time, spaced.
    const latencyStart = now();
    const latencyWrites = new Map<string, number>();
    for (let i = 0; i < size.latencyWrites; i++) {
      const started = now();
      const [id] = await insertTags(client, user.orgId, [`latency ${i}`]);
      latencyWrites.set(id, started);
      await new Promise((resolve) => setTimeout(resolve, LATENCY_SPACING_MS));
    }
    const latency = await settle(receiver, latencyWrites, latencyStart);
    log(phaseLine('latency', latency));

    // Throughput: many events at once; the worker drains them.
    const throughputStart = now();
    const throughputWrites = new Map<string, number>();
    for (let done = 0; done < size.throughputEvents; done += size.batch) {
      const count = Math.min(size.batch, size.throughputEvents - done);
      const started = now();
      const names = Array.from({ length: count }, (_, i) => `throughput ${done + i}`);
      for (const id of await insertTags(client, user.orgId, names)) throughputWrites.set(id, started);
    }
    const throughput = await settle(receiver, throughputWrites, throughputStart);
    log(phaseLine('throughput', throughput));

    const lostOrBad = [latency, throughput].reduce((sum, p) => sum + p.events - p.delivered + p.badSignatures, 0);
    const report: WebhooksReport = {
      startedAt,
      quick: options.quick,
      machine: { cpus: os.availableParallelism(), cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version },
      latency,
      throughput,
      targets: [
        {
          label: 'deliveries per second through the worker',
          value: throughput.deliveriesPerSecond,
          limit: 100,
          met: throughput.deliveriesPerSecond >= 100,
        },
        {
          label: 'commit to first attempt, p95 (ms)',
          value: latency.firstAttempt.p95,
          limit: 2000,
          met: latency.firstAttempt.p95 <= 2000,
        },
        { label: 'events lost or badly signed', value: lostOrBad, limit: 0, met: lostOrBad === 0 },
      ],
    };
    const files = writeReport(report, options.outDir);
    console.log(`\n${markdown(report)}`);
    log(`report: ${files.md} and ${files.json}`);
    if (options.quick) log('--quick: a few events check the harness; the figures mean nothing');
  } finally {
    await receiver.close();
    await sql.end();
    await stack.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
}

const now = () => performance.timeOrigin + performance.now();

async function insertTags(client: SupabaseClient, orgId: string, names: string[]): Promise<string[]> {
  const { data, error } = await client
    .from('tags')
    .insert(names.map((name) => ({ org_id: orgId, name })))
    .select('id');
  if (error) throw new Error(`tags insert: ${error.message}`);
  return (data as { id: string }[]).map((row) => row.id);
}

interface Arrival {
  at: number;
  tagId: string;
  verified: boolean;
}

interface BenchReceiver {
  url: string;
  verifier: Webhook | null;
  /** By webhook-id, every arrival (more than one: a duplicate). */
  arrivals: Map<string, Arrival[]>;
  close(): Promise<void>;
}

/** A receiver that answers 204 at once and notes when each webhook-id arrived. */
async function startReceiver(): Promise<BenchReceiver> {
  const receiver: BenchReceiver = { url: '', verifier: null, arrivals: new Map(), close: async () => {} };
  const server = http.createServer(async (request, response) => {
    const at = now();
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    response.writeHead(204).end();
    const body = Buffer.concat(chunks).toString('utf8');
    const id = String(request.headers['webhook-id'] ?? '');
    let verified = false;
    let tagId = '';
    try {
      const payload = receiver.verifier?.verify(body, {
        'webhook-id': id,
        'webhook-timestamp': String(request.headers['webhook-timestamp'] ?? ''),
        'webhook-signature': String(request.headers['webhook-signature'] ?? ''),
      }) as { data: { id: string } } | undefined;
      verified = Boolean(payload);
      tagId = payload?.data.id ?? '';
    } catch {
      tagId = (JSON.parse(body) as { data?: { id?: string } }).data?.id ?? '';
    }
    receiver.arrivals.set(id, [...(receiver.arrivals.get(id) ?? []), { at, tagId, verified }]);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/bench`;
  receiver.close = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
  return receiver;
}

/** Waits until every write's event arrived (or 30 s without a new one), then measures them. */
async function settle(receiver: BenchReceiver, writes: Map<string, number>, started: number): Promise<Phase> {
  const firstByTag = () => {
    const found = new Map<string, { first: Arrival; count: number }>();
    for (const arrivals of receiver.arrivals.values()) {
      const [first] = arrivals;
      if (first && writes.has(first.tagId)) found.set(first.tagId, { first, count: arrivals.length });
    }
    return found;
  };
  let seen = firstByTag().size;
  let quietSince = now();
  while (seen < writes.size && now() - quietSince < 30_000) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const size = firstByTag().size;
    if (size > seen) {
      seen = size;
      quietSince = now();
    }
  }
  const found = firstByTag();
  const times = [...found.entries()].map(([tagId, { first }]) => first.at - (writes.get(tagId) ?? first.at));
  const last = Math.max(started, ...[...found.values()].map(({ first }) => first.at));
  const seconds = Math.max(0.001, (last - started) / 1000);
  return {
    events: writes.size,
    delivered: found.size,
    duplicated: [...found.values()].filter(({ count }) => count > 1).length,
    badSignatures: [...found.values()].filter(({ first }) => !first.verified).length,
    firstAttempt: percentiles(times),
    seconds: Math.round(seconds * 1000) / 1000,
    deliveriesPerSecond: Math.round(found.size / seconds),
  };
}

function phaseLine(name: string, phase: Phase): string {
  const p = phase.firstAttempt;
  return (
    `${name}: ${phase.delivered}/${phase.events} delivered (twice ${phase.duplicated}, bad signatures ` +
    `${phase.badSignatures}) in ${phase.seconds} s, ${phase.deliveriesPerSecond}/s; first attempt p50 ${p.p50} ms, ` +
    `p95 ${p.p95} ms, p99 ${p.p99} ms`
  );
}

function markdown(report: WebhooksReport): string {
  const row = (name: string, p: Phase) =>
    `| ${name} | ${p.events} | ${p.delivered} | ${p.duplicated} | ${p.badSignatures} | ${p.firstAttempt.p50} | ${p.firstAttempt.p95} | ${p.firstAttempt.p99} | ${p.seconds} | ${p.deliveriesPerSecond} |`;
  return [
    `# Webhooks benchmark ${report.startedAt}${report.quick ? ' (quick: the figures mean nothing)' : ''}`,
    '',
    `${report.machine.cpus} CPUs (${report.machine.cpuModel}), Node ${report.machine.node}.`,
    'Each event is a tag inserted through the Data API, delivered by webhooks-send to a receiver on loopback',
    '(standard preset, signature verified). First attempt: from the start of the write request (its commit',
    'included) to the arrival of the first attempt. Throughput: from the first write to the last arrival.',
    '',
    '| phase | events | delivered | twice | bad signatures | first attempt p50 ms | p95 ms | p99 ms | seconds | deliveries/s |',
    '|---|---|---|---|---|---|---|---|---|---|',
    row('latency (single writes, 50 ms apart)', report.latency),
    row('throughput (batched writes, flat out)', report.throughput),
    '',
    '## Targets',
    '',
    '| target | value | limit | met |',
    '|---|---|---|---|',
    ...report.targets.map((t) => `| ${t.label} | ${t.value} | ${t.limit} | ${t.met ? 'yes' : 'NO'} |`),
    '',
  ].join('\n');
}

function writeReport(report: WebhooksReport, outDir: string): { json: string; md: string } {
  fs.mkdirSync(outDir, { recursive: true });
  const stamp = report.startedAt.replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  const base = path.join(outDir, `${stamp}-webhooks${report.quick ? '-quick' : ''}`);
  fs.writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  fs.writeFileSync(`${base}.md`, markdown(report));
  return { json: `${base}.json`, md: `${base}.md` };
}
