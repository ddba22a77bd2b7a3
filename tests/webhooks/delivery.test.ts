import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addContract } from '../helpers/contracts.ts';
import { adminSql } from '../helpers/db.ts';
import { waitForMail } from '../helpers/mail.ts';
import { createOrganization, type Organization, untyped } from '../helpers/organizations.ts';
import { dnsTarget } from '../helpers/target.ts';
import { type Receiver, startReceiver, until } from './receiver.ts';

/**
 * Delivery end to end: writes through the Data API, events from the audit trigger, the
 * webhooks-send function, receivers on loopback. The settings row is shared by the whole stack,
 * so this file changes it (loopback allowed, a retry schedule of seconds instead of hours, a
 * short timeout) and its tests run one after another; afterAll puts it back.
 */

interface Settings {
  allow_loopback: boolean;
  retry_schedule: string;
  disable_after: string;
  timeout_ms: number;
  breaker_failures: number;
  breaker_half_open_seconds: number;
}

let saved: Settings;
let org: Organization;
const receivers: Receiver[] = [];

async function settings(values: Partial<Settings>) {
  const current = { ...(await readSettings()), ...values };
  await adminSql`
    update private.webhook_settings set allow_loopback = ${current.allow_loopback},
      retry_schedule = ${current.retry_schedule}::interval[], disable_after = ${current.disable_after}::interval,
      timeout_ms = ${current.timeout_ms}, breaker_failures = ${current.breaker_failures},
      breaker_half_open_seconds = ${current.breaker_half_open_seconds}`;
}

async function readSettings(): Promise<Settings> {
  const [row] = await adminSql<Settings[]>`
    select allow_loopback, retry_schedule::text, disable_after::text, timeout_ms, breaker_failures, breaker_half_open_seconds
    from private.webhook_settings`;
  return row;
}

const fast = {
  allow_loopback: true,
  retry_schedule: '{0 s,1 s,1 s,1 s,1 s,1 s,1 s,1 s}',
  disable_after: '5 days',
  timeout_ms: 1500,
  breaker_failures: 5,
  breaker_half_open_seconds: 1,
};

beforeAll(async () => {
  saved = await readSettings();
  await settings(fast);
  org = await createOrganization('deliveries');
});

afterEach(async () => {
  await settings(fast);
});

afterAll(async () => {
  await adminSql`delete from public.webhook_endpoints where org_id = ${org.id}`;
  await Promise.all(receivers.map((r) => r.close()));
  await settings(saved);
});

async function receiver(answer?: Receiver['answer']): Promise<Receiver> {
  const started = await startReceiver(answer);
  receivers.push(started);
  return started;
}

async function register(url: string, eventTypes: string[], preset = 'standard', to = org) {
  const { data, error } = await untyped(to.owner).rpc('create_webhook_endpoint', {
    org_id: to.id,
    url,
    event_types: eventTypes,
    preset,
  });
  if (error) throw new Error(`create_webhook_endpoint failed: ${error.message}`);
  return data as { id: string; secret: string };
}

async function addTags(names: string[], to = org): Promise<{ id: string; name: string }[]> {
  const { data, error } = await to.owner.client
    .from('tags')
    .insert(names.map((name) => ({ org_id: to.id, name })))
    .select('id, name');
  if (error) throw new Error(`tags insert failed: ${error.message}`);
  return data;
}

/** Points a name at an address on the fake DNS server the stack's functions resolve with. */
async function setRecord(name: string, address: string) {
  const response = await fetch(`${dnsTarget.controlUrl}/records/${name}`, { method: 'PUT', body: address });
  expect(response.status).toBe(204);
}

/** The registration check of an endpoint's name (the webhooks.check_url job), once it is over. */
async function urlCheck(endpointId: string) {
  const check = () => adminSql`
    select status::text, last_error_code, result from public.jobs
    where kind = 'webhooks.check_url' and params ->> 'endpoint_id' = ${endpointId} order by created_at desc limit 1`;
  await until('the URL check', async () => ['succeeded', 'failed'].includes((await check())[0]?.status), 30_000);
  return (await check())[0];
}

function headersOf(request: { id: string; timestamp: string; signature: string }) {
  return { 'webhook-id': request.id, 'webhook-timestamp': request.timestamp, 'webhook-signature': request.signature };
}

describe('webhook delivery', () => {
  it('gets every event to a receiver that fails half its requests and sometimes hangs, each signed, none lost', async () => {
    // By the order ids first arrive: every second one fails its first attempt, every seventh
    // hangs instead, and every third of those that failed fails its second attempt too.
    const order = new Map<string, number>();
    const flaky = await receiver((id, attempt) => {
      if (!order.has(id)) order.set(id, order.size);
      const n = order.get(id) ?? 0;
      if (attempt === 1) return n % 7 === 3 ? 'hang' : n % 2 === 0 ? 'fail' : 'ok';
      if (attempt === 2) return n % 3 === 0 ? 'fail' : 'ok';
      return 'ok';
    });
    const endpoint = await register(flaky.url, ['tag.*']);
    const tags = await addTags(Array.from({ length: 20 }, (_, i) => `flaky ${i} ${endpoint.id.slice(0, 6)}`));
    for (const tag of tags.slice(0, 5)) {
      const { error } = await org.owner.client
        .from('tags')
        .update({ name: `${tag.name} renamed` })
        .eq('id', tag.id);
      expect(error).toBeNull();
    }
    for (const tag of tags.slice(5, 10)) {
      expect((await org.owner.client.from('tags').delete().eq('id', tag.id)).error).toBeNull();
    }

    await until('30 deliveries', () => flaky.delivered().size === 30, 100_000);

    const verifier = new Webhook(endpoint.secret);
    const events = [...flaky.delivered().values()].map((request) => {
      const payload = verifier.verify(request.body, headersOf(request)) as {
        id: string;
        type: string;
        version: number;
        org_id: string;
        data: { id: string; record: { name: string } };
      };
      expect(payload.id).toBe(request.id);
      expect(payload.org_id).toBe(org.id);
      expect(payload.version).toBe(1);
      return payload;
    });
    const created = events
      .filter((e) => e.type === 'tag.created')
      .map((e) => e.data.id)
      .sort();
    expect(created).toEqual(tags.map((t) => t.id).sort());
    expect(
      events
        .filter((e) => e.type === 'tag.updated')
        .map((e) => e.data.record.name)
        .sort(),
    ).toEqual(
      tags
        .slice(0, 5)
        .map((t) => `${t.name} renamed`)
        .sort(),
    );
    expect(
      events
        .filter((e) => e.type === 'tag.deleted')
        .map((e) => e.data.id)
        .sort(),
    ).toEqual(
      tags
        .slice(5, 10)
        .map((t) => t.id)
        .sort(),
    );
    // Retries carried the same webhook-id and the same body as the first attempt.
    for (const request of flaky.requests) {
      expect(request.body).toBe(flaky.delivered().get(request.id)?.body);
    }
    expect(flaky.requests.some((r) => r.answered === 'hang')).toBe(true);
    expect(flaky.requests.filter((r) => r.answered !== 'ok').length).toBeGreaterThanOrEqual(10);

    const log = await untyped(org.owner)
      .from('webhook_deliveries')
      .select('status, attempts, last_status, last_latency_ms')
      .eq('endpoint_id', endpoint.id);
    expect(log.data).toHaveLength(30);
    expect(
      log.data?.every((d) => d.status === 'delivered' && d.last_status === 204 && d.last_latency_ms !== null),
    ).toBe(true);
    expect(log.data?.some((d) => d.attempts > 1)).toBe(true);
  }, 120_000);

  it('tells a receiver of a reminder window once, when the reminder schedule opens it', async () => {
    const healthy = await receiver();
    const endpoint = await register(healthy.url, ['reminder.due']);
    const contract = await addContract(org.owner, org.id, {
      name: 'Gym',
      starts_on: '2026-01-01',
      binding_ends_on: '2027-12-31',
      notice_period: 3,
      notice_period_unit: 'months',
      auto_renews: true,
    });
    const [{ deadline }] = await adminSql`
      select (private.contract_dates(c, '2027-06-01'::date)).notice_deadline_on as deadline
      from public.contracts c where c.id = ${contract.id}`;
    // Seven days ahead at noon UTC: the 7-day window opens; running the schedule again adds nothing.
    const asOf = new Date((deadline as Date).getTime() - 7 * 86_400_000 + 12 * 3_600_000);
    for (let run = 0; run < 2; run++) {
      await adminSql`select private.run_reminders(${asOf}, ${[org.id]}::uuid[])`;
    }
    await until('the reminder event', () => healthy.requests.some((r) => r.answered === 'ok'), 30_000);
    const [request] = healthy.requests;
    const event = new Webhook(endpoint.secret).verify(request.body, headersOf(request)) as {
      type: string;
      data: Record<string, unknown>;
    };
    expect(event).toMatchObject({
      type: 'reminder.due',
      data: { kind: 'contract_notice', item_id: contract.id, lead_days: 7, days_left: 7 },
    });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(new Set(healthy.requests.map((r) => r.id)).size).toBe(1);
  }, 60_000);

  it("sends a test event, and signs with both secrets during a rotation's overlap", async () => {
    const healthy = await receiver();
    const endpoint = await register(healthy.url, ['credits.low']);
    const { data: rotated } = await untyped(org.owner).rpc('rotate_webhook_secret', {
      endpoint_id: endpoint.id,
      overlap_seconds: 600,
    });
    const { data: eventId, error } = await untyped(org.owner).rpc('send_webhook_test', { endpoint_id: endpoint.id });
    expect(error).toBeNull();
    await until('the test event', () => healthy.delivered().has(eventId), 30_000);
    const request = healthy.delivered().get(eventId);
    if (!request) throw new Error('the test event was not delivered');
    expect(request.signature.split(' ')).toHaveLength(2);
    for (const secret of [endpoint.secret, rotated]) {
      expect(new Webhook(secret).verify(request.body, headersOf(request))).toMatchObject({
        type: 'webhook.test',
        data: { endpoint_id: endpoint.id },
      });
    }
  }, 60_000);

  it('shapes the body for the Discord, Slack, Teams and Home Assistant presets, within their limits', async () => {
    const chat = await receiver();
    const presets = ['discord', 'slack', 'teams', 'home_assistant'];
    const endpoints = new Map<string, { id: string; secret: string }>();
    for (const preset of presets) {
      endpoints.set(preset, await register(chat.url.replace('/hooks', `/${preset}`), ['tag.created'], preset));
    }
    const [tag] = await addTags([`preset ${Date.now()}`]);
    const bodiesOfTag = () => chat.requests.filter((r) => r.body.includes(tag.name));
    await until('the four messages', () => bodiesOfTag().length === presets.length, 30_000);
    const bodies = bodiesOfTag().map((r) => ({ request: r, body: JSON.parse(r.body) }));
    const discord = bodies.find((b) => 'content' in b.body)?.body;
    const slack = bodies.find((b) => 'text' in b.body)?.body;
    const teams = bodies.find((b) => b.body.type === 'message')?.body;
    const homeAssistant = bodies.find((b) => b.body.type === 'tag.created');
    expect(discord.content).toContain('tag.created');
    expect(discord.content.length).toBeLessThanOrEqual(2000);
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    expect(slack.text).toContain(tag.name);
    expect(slack.text.length).toBeLessThanOrEqual(3000);
    expect(teams.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(teams.attachments[0].content.body[0].text).toContain(tag.name);
    // Home Assistant gets the standard payload, signed like any other.
    const signed = new Webhook(endpoints.get('home_assistant')?.secret ?? '').verify(
      homeAssistant?.request.body ?? '',
      headersOf(homeAssistant?.request ?? { id: '', timestamp: '', signature: '' }),
    );
    expect(signed).toMatchObject({ type: 'tag.created', version: 1, data: { id: tag.id, record: { name: tag.name } } });
  }, 60_000);

  it('refuses loopback receivers unless allowed, at registration and again at delivery', async () => {
    const local = await receiver();
    await settings({ allow_loopback: false });
    for (const url of [local.url, local.url.replace('127.0.0.1', 'localhost'), 'http://[::1]:9/hooks']) {
      const { error } = await untyped(org.owner).rpc('create_webhook_endpoint', {
        org_id: org.id,
        url,
        event_types: ['tag.created'],
      });
      expect(error?.message).toBe('WEBHOOK_URL_FORBIDDEN');
    }

    // Registered while allowed, a name is resolved, checked and connected to by its checked address.
    await settings({ allow_loopback: true });
    const endpoint = await register(local.url.replace('127.0.0.1', 'localhost'), ['tag.created']);
    const [named] = await addTags([`named ${Date.now()}`]);
    await until('the delivery by name', () => local.requests.some((r) => r.body.includes(named.id)), 30_000);
    const received = local.requests.length;

    // The name resolves to loopback at delivery, when it is not allowed any more: refused.
    await settings({ allow_loopback: false });
    const [refused] = await addTags([`ssrf ${Date.now()}`]);
    const refusedRow = async () => {
      const [row] = await adminSql`
        select d.last_error, d.last_status from public.webhook_deliveries d
        join private.webhook_events v on v.id = d.event_id
        where d.endpoint_id = ${endpoint.id} and v.data ->> 'id' = ${refused.id}`;
      return row;
    };
    await until('a refused attempt', async () => Boolean((await refusedRow())?.last_error), 30_000);
    const row = await refusedRow();
    expect(row.last_error).toMatch(/^WEBHOOK_URL_FORBIDDEN: localhost: .*loopback/);
    expect(row.last_status).toBeNull();
    expect(local.requests).toHaveLength(received);
    const removed = await untyped(org.owner).rpc('delete_webhook_endpoint', { endpoint_id: endpoint.id });
    expect(removed.error).toBeNull();
  }, 60_000);

  it('refuses a name that resolves to loopback after registration, even with loopback allowed, and sends it nothing', async () => {
    const local = await receiver();
    const { port } = new URL(local.url);
    // Loopback is allowed (these tests' settings): for addresses written as such, not for names.
    const literal = await register(local.url, ['tag.created']);
    const named = await register(`http://127.0.0.1.nip.io:${port}/hooks`, ['tag.created']);
    expect(await urlCheck(literal.id)).toMatchObject({ status: 'succeeded', result: { address: '127.0.0.1' } });
    expect(await urlCheck(named.id)).toMatchObject({ status: 'failed', last_error_code: 'WEBHOOK_URL_FORBIDDEN' });
    const [endpoint] =
      await adminSql`select enabled, disabled_reason from public.webhook_endpoints where id = ${named.id}`;
    expect(endpoint).toEqual({ enabled: false, disabled_reason: 'url_forbidden' });

    const [tag] = await addTags([`nip ${Date.now()}`]);
    await until(
      'the delivery to the literal address',
      () => local.requests.some((r) => r.body.includes(tag.id)),
      30_000,
    );
    expect(local.requests.filter((r) => r.body.includes(tag.id))).toHaveLength(1);
    const deliveries = await adminSql`select id from public.webhook_deliveries where endpoint_id = ${named.id}`;
    expect(deliveries).toHaveLength(0);
    await adminSql`delete from public.webhook_endpoints where id in ${adminSql([literal.id, named.id])}`;
  }, 60_000);

  it('refuses a name that was public at registration and resolves to loopback at delivery (DNS rebinding)', async () => {
    const local = await receiver();
    const name = `rebind-${Date.now()}.westwallet.test`;
    await setRecord(name, '93.184.216.34');
    const endpoint = await register(`http://${name}:${new URL(local.url).port}/hooks`, ['tag.created']);
    expect(await urlCheck(endpoint.id)).toMatchObject({ status: 'succeeded', result: { address: '93.184.216.34' } });

    await setRecord(name, '127.0.0.1');
    const [tag] = await addTags([`rebind ${Date.now()}`]);
    const attempt = async () => {
      const [row] = await adminSql`
        select d.last_error, d.last_status from public.webhook_deliveries d
        join private.webhook_events v on v.id = d.event_id
        where d.endpoint_id = ${endpoint.id} and v.data ->> 'id' = ${tag.id}`;
      return row;
    };
    await until('a refused attempt', async () => Boolean((await attempt())?.last_error), 30_000);
    expect(await attempt()).toMatchObject({
      last_error: expect.stringMatching(new RegExp(`^WEBHOOK_URL_FORBIDDEN: ${name}: 127\\.0\\.0\\.1 .*loopback`)),
      last_status: null,
    });
    expect(local.requests).toHaveLength(0);
    await adminSql`delete from public.webhook_endpoints where id = ${endpoint.id}`;
  }, 60_000);

  it('opens the breaker on a dead receiver, disables the endpoint, tells its admins, and replays once it heals', async () => {
    await settings({ breaker_failures: 3, breaker_half_open_seconds: 2, disable_after: '4 s' });
    const since = new Date(Date.now() - 1000).toISOString();
    // An organization of its own: the others' endpoints would hear its events and fail too.
    const own = await createOrganization('dead-receiver');
    const dead = await receiver(() => 'fail');
    const endpoint = await register(dead.url, ['tag.created'], 'standard', own);
    const key = `webhook:${endpoint.id}`;
    await addTags(
      Array.from({ length: 10 }, (_, i) => `dead ${i}`),
      own,
    );

    let sawOpen = false;
    await until(
      'the endpoint disabled',
      async () => {
        const [breaker] = await adminSql`select open_until from private.outbound_breakers where key = ${key}`;
        sawOpen ||= Boolean(breaker?.open_until);
        const [row] =
          await adminSql`select enabled, disabled_reason from public.webhook_endpoints where id = ${endpoint.id}`;
        return row.enabled === false && row.disabled_reason === 'failing';
      },
      45_000,
    );
    expect(sawOpen).toBe(true);
    // Without the breaker, ten deliveries retried every second for four seconds and more would
    // have made forty requests; with it, the first ten and a probe every two seconds.
    expect(dead.requests.length).toBeLessThan(20);
    const deliveries = await adminSql`select status from public.webhook_deliveries where endpoint_id = ${endpoint.id}`;
    expect(deliveries.map((d) => d.status)).toEqual(Array(10).fill('dead'));
    const mail = await waitForMail(own.owner.email, { subject: /webhook/i });
    expect(mail.Text).toContain(dead.url);

    // Healed: enabled again, everything failed since the start is replayed under its own id.
    dead.answer = () => 'ok';
    const enabled = await untyped(own.owner).rpc('update_webhook_endpoint', {
      endpoint_id: endpoint.id,
      enabled: true,
    });
    expect(enabled.error).toBeNull();
    const { data: replayed } = await untyped(own.owner).rpc('replay_failed_webhook_deliveries', {
      endpoint_id: endpoint.id,
      since,
    });
    expect(replayed).toBe(10);
    await until('the replayed deliveries', () => dead.delivered().size === 10, 45_000);
    const failedIds = new Set(dead.requests.filter((r) => r.answered === 'fail').map((r) => r.id));
    expect(new Set(dead.delivered().keys())).toEqual(failedIds);

    // One delivery replayed again arrives again, by the same id.
    const [one] =
      await adminSql`select id, event_id from public.webhook_deliveries where endpoint_id = ${endpoint.id} limit 1`;
    const again = await untyped(own.owner).rpc('replay_webhook_delivery', { delivery_id: one.id });
    expect(again.error).toBeNull();
    await until(
      'the second delivery',
      () => dead.requests.filter((r) => r.id === one.event_id && r.answered === 'ok').length === 2,
      30_000,
    );
  }, 120_000);
});
