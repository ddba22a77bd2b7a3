import { randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { anonClient, type Client, serviceClient, signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { join, personalOrg } from '../helpers/organizations.ts';
import { collector, joined, subscribe } from '../helpers/realtime.ts';
import { target } from '../helpers/target.ts';

/**
 * Realtime through the real supabase-js: private org channels authorized by the policies on
 * realtime.messages, database broadcasts, client broadcasts, presence and Postgres Changes.
 */

const clients: Client[] = [];
const track = <T extends { client: Client }>(user: T) => {
  clients.push(user.client);
  return user;
};

let owner: TestUser;
let orgId: string;

beforeAll(async () => {
  owner = track(await signUpUser('rtowner'));
  orgId = await personalOrg(owner);
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.removeAllChannels()));
});

const unique = (label: string) => `${label}-${randomUUID().slice(0, 8)}`;

describe('private organization channels', () => {
  it('deliver a transaction another member writes through the Data API, from the WAL', async () => {
    const member = track(await signUpUser('rtmember'));
    await join(owner, orgId, member, 'member');
    const received = collector<{ event: string; payload: { record: { id: string; name: string } } }>();
    await joined(
      member.client
        .channel(`org:${orgId}`, { config: { private: true } })
        .on('broadcast', { event: '*' }, (message) => received.push(message as never)),
    );

    const name = unique('live');
    const { data: tag, error } = await owner.client.from('tags').insert({ org_id: orgId, name }).select('id').single();
    expect(error).toBeNull();
    await expect
      .poll(() => received.items.find((m) => m.payload.record?.id === tag?.id), { timeout: 5000 })
      .toMatchObject({ event: 'INSERT', payload: { record: { id: tag?.id, name } } });
    // Once, not twice.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received.items.filter((m) => m.payload.record?.id === tag?.id)).toHaveLength(1);
  });

  it("refuse an outsider's and anon's join with the platform's error", async () => {
    const outsider = track(await signUpUser('rtoutsider'));
    const anon = anonClient();
    clients.push(anon);
    for (const client of [outsider.client, anon]) {
      const outcome = await subscribe(client.channel(`org:${orgId}`, { config: { private: true } }));
      expect(outcome).toEqual({
        status: 'CHANNEL_ERROR',
        error: `Unauthorized: You do not have permissions to read from this Channel topic: org:${orgId}`,
      });
      await client.removeAllChannels();
    }
  });

  it('admit the secret key, whose service_role passes every policy', async () => {
    const service = serviceClient();
    clients.push(service);
    expect(await subscribe(service.channel(`org:${orgId}`, { config: { private: true } }))).toEqual({
      status: 'SUBSCRIBED',
    });
  });

  it("close a removed member's channel when the refreshed token no longer gives access", async () => {
    const viewer = track(await signUpUser('rtremoved'));
    await join(owner, orgId, viewer, 'viewer');
    const system = collector<{ status: string; message: string }>();
    const statuses = collector<string>();
    const channel = viewer.client
      .channel(`org:${orgId}`, { config: { private: true } })
      .on('system', {}, (message) => system.push(message));
    channel.subscribe((status) => statuses.push(status));
    await expect.poll(() => statuses.items).toContain('SUBSCRIBED');

    const { error } = await owner.client.rpc('remove_member', { org_id: orgId, user_id: viewer.user.id });
    expect(error).toBeNull();
    // A token issued a second later differs; refreshing sends it to Realtime as access_token.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await viewer.client.auth.refreshSession()).error).toBeNull();

    await expect.poll(() => statuses.items, { timeout: 5000 }).toContain('CLOSED');
    expect(system.items).toContainEqual(
      expect.objectContaining({
        status: 'error',
        message: `You no longer have permission to read from this Channel topic: org:${orgId}`,
      }),
    );
  });
});

describe('client broadcast and presence', () => {
  it('broadcast between clients, with ack and self, over both protocol versions', async () => {
    const topic = unique('room');
    const v1 = createClient(target.url, target.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      realtime: { transport: WebSocket as never, vsn: '1.0.0' },
    });
    const v2 = anonClient();
    clients.push(v1, v2);
    const atV1 = collector<{ event: string; payload: unknown }>();
    const atV2 = collector<{ event: string; payload: unknown }>();
    const sender = await joined(
      v2
        .channel(topic, { config: { broadcast: { ack: true, self: true } } })
        .on('broadcast', { event: 'move' }, (m) => atV2.push(m as never)),
    );
    await joined(v1.channel(topic).on('broadcast', { event: '*' }, (m) => atV1.push(m as never)));

    expect(await sender.send({ type: 'broadcast', event: 'move', payload: { x: 1 } })).toBe('ok');
    await expect.poll(() => atV1.items).toContainEqual(expect.objectContaining({ event: 'move', payload: { x: 1 } }));
    // self: the sender hears its own message.
    await expect.poll(() => atV2.items).toContainEqual(expect.objectContaining({ event: 'move', payload: { x: 1 } }));

    // Opaque bytes reach vsn 2.0.0 clients as bytes (1.0.0 cannot carry them).
    const bytes = new Uint8Array([1, 2, 255]).buffer;
    expect(await sender.send({ type: 'broadcast', event: 'move', payload: bytes })).toBe('ok');
    await expect.poll(() => atV2.items.map((m) => m.payload).find((p) => p instanceof ArrayBuffer)).toEqual(bytes);

    // The REST endpoint, as httpSend uses it.
    const rest = anonClient();
    clients.push(rest);
    await rest.channel(topic).httpSend('move', { x: 2 });
    await expect.poll(() => atV1.items).toContainEqual(expect.objectContaining({ event: 'move', payload: { x: 2 } }));
  });

  it('presence: two clients see each other join, sync and leave', async () => {
    const topic = unique('presence');
    const [a, b] = [anonClient(), anonClient()];
    clients.push(a, b);
    const first = a.channel(topic, { config: { presence: { key: 'alice' } } });
    const left = collector<string>();
    first.on('presence', { event: 'sync' }, () => {}).on('presence', { event: 'leave' }, ({ key }) => left.push(key));
    await joined(first);
    expect(await first.track({ name: 'Alice' })).toBe('ok');

    const second = b.channel(topic, { config: { presence: { key: 'bob' } } });
    second.on('presence', { event: 'sync' }, () => {});
    await joined(second);
    expect(await second.track({ name: 'Bob' })).toBe('ok');

    const names = (channel: typeof first) =>
      Object.values(channel.presenceState<{ name: string }>())
        .flat()
        .map((p) => p.name)
        .sort();
    await expect.poll(() => names(first)).toEqual(['Alice', 'Bob']);
    await expect.poll(() => names(second)).toEqual(['Alice', 'Bob']);

    await b.removeChannel(second);
    await expect.poll(() => left.items).toContain('bob');
    expect(names(first)).toEqual(['Alice']);
  });
});

describe('Postgres Changes', () => {
  const table = `rt_changes_${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await adminSql.unsafe(`
      create table public.${table} (id bigint generated always as identity primary key, owner uuid not null, note text);
      alter table public.${table} enable row level security;
      create policy "owners read" on public.${table} for select to authenticated using (owner = (select auth.uid()));
      grant select on public.${table} to authenticated;
      alter publication supabase_realtime add table public.${table};`);
  });

  afterAll(async () => {
    await adminSql.unsafe(`drop table public.${table}`);
  });

  it("deliver only the rows the subscriber's row-level security shows, matching the filter", async () => {
    const [alice, bob] = [track(await signUpUser('rtalice')), track(await signUpUser('rtbob'))];
    type Change = { eventType: string; new: { id?: number; note?: string }; old: { id?: number } };
    const atAlice = collector<Change>();
    const atBob = collector<Change>();
    const listen = (user: TestUser, push: (change: Change) => void) =>
      joined(
        user.client
          .channel(unique('changes'))
          .on('postgres_changes', { event: '*', schema: 'public', table, filter: 'note=neq.hidden' }, (p) =>
            push(p as never),
          )
          // A delete carries only the key, so only a filter on the key can match it.
          .on('postgres_changes', { event: 'DELETE', schema: 'public', table, filter: 'id=gt.0' }, (p) =>
            push(p as never),
          ),
      );
    await Promise.all([listen(alice, atAlice.push), listen(bob, atBob.push)]);
    const events = () => atAlice.items.map((change) => change.eventType);

    // Visibility is checked when the change is delivered, against the row as it is then (as on
    // the platform), so each step waits for the one before.
    const [row] = await adminSql<{ id: number }[]>`
      insert into ${adminSql(table)} (owner, note) values (${alice.user.id}, 'shown') returning id::int as id`;
    await expect.poll(events, { timeout: 5000 }).toEqual(['INSERT']);
    await adminSql`insert into ${adminSql(table)} (owner, note) values (${alice.user.id}, 'hidden')`;
    await adminSql`update ${adminSql(table)} set note = 'edited' where id = ${row?.id as number}`;
    await expect.poll(events, { timeout: 5000 }).toEqual(['INSERT', 'UPDATE']);
    await adminSql`delete from ${adminSql(table)} where id = ${row?.id as number}`;
    await expect.poll(events, { timeout: 5000 }).toEqual(['INSERT', 'UPDATE', 'DELETE']);

    expect(atAlice.items[0]?.new).toEqual({ id: row?.id, owner: alice.user.id, note: 'shown' });
    expect(atAlice.items[1]?.new).toMatchObject({ id: row?.id, note: 'edited' });
    // A delete carries only the primary key when the table has row-level security.
    expect(atAlice.items[2]?.old).toEqual({ id: row?.id });
    // Bob saw none of Alice's rows; deletes cannot be checked, so as on the platform he gets those.
    expect(atBob.items.map((change) => change.eventType)).toEqual(['DELETE']);
  });

  it('say in a system message that a table outside the publication delivers nothing', async () => {
    const user = track(await signUpUser('rtnopub'));
    const system = collector<{ extension: string; status: string; message: string }>();
    await joined(
      user.client
        .channel(unique('nopub'))
        .on('postgres_changes', { event: '*', schema: 'public', table: 'tags' }, () => {})
        .on('system', {}, (m) => system.push(m)),
    );
    await expect
      .poll(() => system.items)
      .toContainEqual(
        expect.objectContaining({
          extension: 'postgres_changes',
          status: 'error',
          message: expect.stringContaining('Unable to subscribe to changes with given parameters'),
        }),
      );
  });
});

describe('the HTTP broadcast API', () => {
  const api = (path: string, init: RequestInit & { key?: string } = {}) =>
    fetch(`${target.url}/realtime/v1/api${path}`, {
      method: 'POST',
      ...init,
      headers: { 'content-type': 'application/json', ...(init.key ? { apikey: init.key } : {}) },
    });

  it('delivers a batch to the subscribers of each topic, and refuses bad requests with a code', async () => {
    const topic = unique('batch');
    const listener = anonClient();
    clients.push(listener);
    const received = collector<{ event: string; payload: unknown }>();
    await joined(listener.channel(topic).on('broadcast', { event: '*' }, (m) => received.push(m as never)));
    const body = JSON.stringify({ messages: [{ topic, event: 'ping', payload: { n: 1 }, private: false }] });

    expect((await api('/broadcast', { body, key: target.anonKey })).status).toBe(202);
    await expect.poll(() => received.items).toEqual([expect.objectContaining({ event: 'ping', payload: { n: 1 } })]);

    const refusal = async (response: Response) => ({ status: response.status, code: (await response.json()).code });
    expect(await refusal(await api('/broadcast', { body }))).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    expect(await refusal(await api('/broadcast', { body: '{"messages": 1}', key: target.anonKey }))).toEqual({
      status: 422,
      code: 'VALIDATION_FAILED',
    });
    expect(await refusal(await api('/broadcast', { body: 'not json', key: target.anonKey }))).toEqual({
      status: 422,
      code: 'VALIDATION_FAILED',
    });
    expect(await refusal(await api('/elsewhere', { body, key: target.anonKey }))).toEqual({
      status: 404,
      code: 'ROUTE_NOT_FOUND',
    });
  });
});

describe('bad input', () => {
  const socketUrl = (params: string) => `${target.url.replace(/^http/, 'ws')}/realtime/v1/websocket?${params}`;

  const open = (url: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      ws.once('error', reject);
    });
  const closed = (ws: WebSocket) =>
    new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  const replies = (ws: WebSocket) => {
    const frames: unknown[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(data.toString())));
    return frames;
  };

  it('refuse a socket without a valid apikey', async () => {
    await expect(open(socketUrl('vsn=2.0.0&apikey=sb_publishable_forged'))).rejects.toThrow('HTTP 401');
    await expect(open(socketUrl('vsn=2.0.0'))).rejects.toThrow('HTTP 401');
  });

  it('close only the socket that sends a malformed frame or floods, and keep serving', async () => {
    const malformed = await open(socketUrl(`vsn=2.0.0&apikey=${target.anonKey}`));
    const malformedClosed = closed(malformed);
    malformed.send('{"not": "an array"');
    expect(await malformedClosed).toMatchObject({ code: 1007 });

    const flood = await open(socketUrl(`vsn=2.0.0&apikey=${target.anonKey}`));
    const floodClosed = closed(flood);
    for (let i = 0; i < 500; i++) flood.send(JSON.stringify([null, String(i), 'phoenix', 'heartbeat', {}]));
    expect(await floodClosed).toMatchObject({ code: 1008, reason: 'Too many messages per second' });

    const fine = await open(socketUrl(`vsn=1.0.0&apikey=${target.anonKey}`));
    const frames = replies(fine);
    fine.send(JSON.stringify({ topic: 'phoenix', event: 'heartbeat', payload: {}, ref: '1' }));
    fine.send(JSON.stringify({ topic: 'elsewhere', event: 'phx_join', payload: {}, ref: '2', join_ref: '2' }));
    fine.send(JSON.stringify({ topic: 'realtime:x', event: 'broadcast', payload: {}, ref: '3', join_ref: '3' }));
    const tampered = await tamperedToken();
    fine.send(
      JSON.stringify({
        topic: 'realtime:y',
        event: 'phx_join',
        payload: { access_token: tampered },
        ref: '4',
        join_ref: '4',
      }),
    );
    await expect.poll(() => frames.length).toBe(4);
    expect(frames).toEqual([
      expect.objectContaining({ ref: '1', payload: { status: 'ok', response: {} } }),
      expect.objectContaining({ ref: '2', payload: { status: 'error', response: { reason: 'unmatched topic' } } }),
      expect.objectContaining({ ref: '3', payload: { status: 'error', response: { reason: 'unmatched topic' } } }),
      expect.objectContaining({
        ref: '4',
        payload: {
          status: 'error',
          response: { reason: 'JwtSignatureError: Failed to validate JWT signature' },
        },
      }),
    ]);
    fine.close();
  });
});

/** A user's token whose claims were changed (`exp` in the past) after Auth signed it. */
async function tamperedToken(): Promise<string> {
  const user = track(await signUpUser('rtexpired'));
  const { data } = await user.client.auth.getSession();
  const token = data.session?.access_token ?? '';
  const [header, body] = token.split('.');
  const claims = JSON.parse(Buffer.from(body as string, 'base64url').toString());
  const stale = Buffer.from(JSON.stringify({ ...claims, exp: 1 })).toString('base64url');
  return `${header}.${stale}.${token.split('.')[2]}`;
}
