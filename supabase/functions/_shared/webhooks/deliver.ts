import type postgres from 'postgres';
import { Webhook } from 'standardwebhooks';
import { BrokenCircuitError, Outbound } from '../outbound/policy.ts';
import { postPinned } from '../outbound/request.ts';
import { checkDestination, DestinationRefused } from '../outbound/ssrf.ts';
import { body, type Preset } from './payload.ts';

/**
 * Reading the `webhooks` queue and settling each delivery: the one place that knows pgmq's
 * `webhooks` queue and the steps of supabase/schemas/16_webhooks (claim_webhook_deliveries,
 * webhook_attempt_done, webhook_attempt_postponed). A message carries only a delivery id; the row
 * says whether it still needs sending, so a duplicate or late message sends nothing twice.
 */

const QUEUE = 'webhooks';
/** A claimed delivery stays locked, and its message hidden, this long: past the longest timeout. */
const LOCK_SECONDS = 90;
const BATCH = 100;

interface Settings {
  allow_loopback: boolean;
  timeout_ms: number;
  breaker_failures: number;
  breaker_half_open_seconds: number;
}

interface Claim {
  delivery_id: string;
  claimed: boolean;
  wait_seconds: number | null;
  attempt: number;
  event_id: string;
  event_type: string;
  event_data: Record<string, unknown>;
  event_created_at: Date;
  org_id: string;
  endpoint_id: string;
  url: string;
  preset: Preset;
  secrets: string[];
}

export interface DeliveryReport {
  delivered: number;
  failed: number;
  postponed: number;
  skipped: number;
}

/** A receiver's answer that is not 2xx. */
class ReceiverFailed extends Error {
  constructor(readonly status: number, readonly snippet: string) {
    super(`the receiver answered ${status}`);
  }
}

export async function deliverDueWebhooks(
  sql: postgres.Sql,
  budgetMs: number,
  concurrency = 32,
): Promise<DeliveryReport> {
  const report: DeliveryReport = { delivered: 0, failed: 0, postponed: 0, skipped: 0 };
  const [settings] = await sql<Settings[]>`select * from private.webhook_settings`;
  const outbound = new Outbound(sql);
  const started = Date.now();
  while (Date.now() - started < budgetMs) {
    const messages = await sql<{ msg_id: string; message: { delivery_id?: string } }[]>`
      select msg_id::text, message from pgmq.read(${QUEUE}, ${LOCK_SECONDS}, ${BATCH})`;
    if (messages.length === 0) break;
    const byDelivery = new Map<string, string[]>();
    for (const { msg_id, message } of messages) {
      const id = message.delivery_id;
      if (!id || !/^[0-9a-f-]{36}$/.test(id)) {
        await sql`select pgmq.archive(${QUEUE}, ${msg_id}::bigint)`;
        report.skipped += 1;
        continue;
      }
      byDelivery.set(id, [...(byDelivery.get(id) ?? []), msg_id]);
    }
    const claims = await sql<Claim[]>`
      select * from private.claim_webhook_deliveries(${[...byDelivery.keys()]}::uuid[], ${LOCK_SECONDS})`;
    const work: Claim[] = [];
    for (const claim of claims) {
      const msgIds = byDelivery.get(claim.delivery_id) ?? [];
      if (claim.claimed) {
        work.push(claim);
        // A second message for the same delivery is spent: the first settles it.
        await settleMessages(sql, msgIds.slice(1), null);
        continue;
      }
      report.skipped += 1;
      await settleMessages(sql, msgIds, claim.wait_seconds);
    }
    await pool(work, concurrency, async (claim) => {
      const outcome = await attempt(sql, outbound, settings, claim);
      report[outcome.kind] += 1;
      await settleMessages(sql, (byDelivery.get(claim.delivery_id) ?? []).slice(0, 1), outcome.wait);
    });
  }
  return report;
}

/** Deletes spent messages (wait null), or hides them until the delivery is due again. */
async function settleMessages(sql: postgres.Sql, msgIds: string[], wait: number | null) {
  if (msgIds.length === 0) return;
  if (wait === null) await sql`select pgmq.delete(${QUEUE}, ${msgIds}::bigint[])`;
  else await sql`select pgmq.set_vt(${QUEUE}, id, ${wait}) from unnest(${msgIds}::bigint[]) id`;
}

async function attempt(
  sql: postgres.Sql,
  outbound: Outbound,
  settings: Settings,
  claim: Claim,
): Promise<{ kind: 'delivered' | 'failed' | 'postponed'; wait: number | null }> {
  const key = `webhook:${claim.endpoint_id}`;
  const payload = body(
    {
      id: claim.event_id,
      type: claim.event_type,
      orgId: claim.org_id,
      createdAt: new Date(claim.event_created_at),
      data: claim.event_data,
    },
    claim.preset,
  );
  const started = performance.now();
  let status: number | null = null;
  let snippet: string | null = null;
  let error: string | null = null;
  try {
    // Checked at every attempt: the name may resolve elsewhere than at registration.
    const destination = await checkDestination(claim.url, settings.allow_loopback);
    const now = new Date();
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'WestWallet-Webhooks/1',
      'webhook-id': claim.event_id,
      'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
      // Every secret that signs now (two during a rotation's overlap), space-separated.
      'webhook-signature': claim.secrets.map((secret) => new Webhook(secret).sign(claim.event_id, now, payload))
        .join(' '),
    };
    const answer = await outbound.call(
      {
        key,
        timeoutMs: settings.timeout_ms,
        breakerFailures: settings.breaker_failures,
        halfOpenMs: settings.breaker_half_open_seconds * 1000,
      },
      async (signal) => {
        const result = await postPinned(destination, headers, payload, signal);
        if (result.status < 200 || result.status > 299) throw new ReceiverFailed(result.status, result.snippet);
        return result;
      },
    );
    status = answer.status;
    snippet = answer.snippet;
  } catch (caught) {
    if (caught instanceof BrokenCircuitError) {
      const wait = Math.max(1, Math.ceil((await outbound.openForMs(key)) / 1000));
      await sql`select private.webhook_attempt_postponed(${claim.delivery_id}::uuid, ${wait})`;
      return { kind: 'postponed', wait };
    }
    if (caught instanceof ReceiverFailed) {
      status = caught.status;
      snippet = caught.snippet;
    }
    error = caught instanceof DestinationRefused
      ? `${caught.code}: ${caught.message}`
      : caught instanceof Error
      ? caught.message || caught.name
      : String(caught);
  }
  const latency = Math.round(performance.now() - started);
  const ok = error === null;
  const [{ wait }] = await sql<{ wait: number | null }[]>`
    select private.webhook_attempt_done(${claim.delivery_id}::uuid, ${ok}, ${status}, ${latency}, ${snippet}, ${error}) as wait`;
  return { kind: ok ? 'delivered' : 'failed', wait };
}

/** Runs `task` over `items`, at most `limit` at once. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      try {
        await task(item);
      } catch (error) {
        // The delivery stays locked until LOCK_SECONDS pass, then another worker takes it.
        console.error('webhooks: settling a delivery failed', error);
      }
    }
  });
  await Promise.all(lanes);
}
