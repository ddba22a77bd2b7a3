import type postgres from 'postgres';
import { writePolicies } from './authorization.ts';
import { type Hub, MAX_NAME_BYTES, topicKey } from './hub.ts';
import type { Outbound } from './protocol.ts';
import type { TokenVerifier } from './tokens.ts';

/** The largest REST broadcast body taken: the platform's default payload limit, 3 MB. */
const MAX_BODY_BYTES = 3_000_000;

const answer = (status: number, code?: string, message?: string) =>
  code ? Response.json({ code, message }, { status }) : new Response(null, { status });

/** Topic and event must fit the frames that carry them to subscribers. */
function checkNames(topic: string, event: string, where: string): void {
  if (Buffer.byteLength(topic) > MAX_NAME_BYTES - 'realtime:'.length || Buffer.byteLength(event) > MAX_NAME_BYTES) {
    throw new Error(`${where}: topic or event longer than the protocol carries`);
  }
}

interface Message {
  topic: string;
  event: string;
  private: boolean;
  outbound: Outbound;
}

/**
 * Realtime's HTTP broadcast API: `POST /api/broadcast` with `{ messages: [...] }` (what
 * realtime-js falls back to before a channel has joined) and `POST /api/broadcast/<topic>/events/
 * <event>` (`httpSend`). The caller is the Authorization bearer token, else the apikey. A private
 * message goes out only if the policies on realtime.messages let the caller write to its topic;
 * like the platform, the others are dropped and the answer is still 202.
 */
export async function serveBroadcastApi(
  request: Request,
  path: string,
  deps: { sql: postgres.Sql; hub: Hub; tokens: TokenVerifier },
): Promise<Response> {
  const single = /^\/broadcast\/([^/]+)\/events\/([^/]+)$/.exec(path);
  if (path !== '/broadcast' && !single) return answer(404, 'ROUTE_NOT_FOUND', `No Realtime API at ${path}`);
  if (request.method !== 'POST') return answer(405, 'METHOD_NOT_ALLOWED', 'Use POST');
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  const checked = await deps.tokens.verify(bearer ?? request.headers.get('apikey'));
  if (!checked.ok) return answer(401, 'UNAUTHORIZED', checked.message);

  // Refused before reading when the length is announced; checked again after for a chunked body.
  const announced = Number(request.headers.get('content-length') ?? 0);
  if (announced > MAX_BODY_BYTES) return answer(413, 'PAYLOAD_TOO_LARGE', 'The body is over 3 MB');
  const body = Buffer.from(await request.arrayBuffer());
  if (body.length > MAX_BODY_BYTES) return answer(413, 'PAYLOAD_TOO_LARGE', 'The body is over 3 MB');
  let messages: Message[];
  try {
    messages = single ? singleMessage(request, single, body) : batch(body);
  } catch (error) {
    return answer(422, 'VALIDATION_FAILED', (error as Error).message);
  }

  const writable = new Map<string, boolean>();
  for (const message of messages) {
    if (message.private) {
      let allowed = writable.get(message.topic);
      if (allowed === undefined) {
        const policies = await writePolicies(deps.sql, message.topic, checked.claims, ['broadcast'], {
          broadcast: {},
          presence: {},
        });
        allowed = policies.broadcast.write === true;
        writable.set(message.topic, allowed);
      }
      if (!allowed) continue;
    }
    deps.hub.publish(topicKey(message.topic, message.private), message.outbound);
  }
  return answer(202);
}

function batch(body: Buffer): Message[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new Error('The body is not JSON');
  }
  const list = (parsed as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(list) || list.length === 0) throw new Error('messages must be a non-empty list');
  return list.map((entry, i) => {
    const { topic, event, payload, private: isPrivate } = (entry ?? {}) as Record<string, unknown>;
    if (typeof topic !== 'string' || topic === '' || typeof event !== 'string' || event === '') {
      throw new Error(`messages[${i}] needs a topic and an event`);
    }
    if (payload === null || typeof payload !== 'object') throw new Error(`messages[${i}].payload must be an object`);
    checkNames(topic, event, `messages[${i}]`);
    return {
      topic,
      event,
      private: isPrivate === true,
      outbound: { kind: 'json', topic, event: 'broadcast', payload: { event, payload, type: 'broadcast' } },
    };
  });
}

function singleMessage(request: Request, match: RegExpExecArray, body: Buffer): Message[] {
  const topic = decodeURIComponent(match[1] as string);
  const event = decodeURIComponent(match[2] as string);
  checkNames(topic, event, 'the path');
  const isPrivate = new URL(request.url).searchParams.get('private') === 'true';
  const binary = (request.headers.get('content-type') ?? '').startsWith('application/octet-stream');
  if (!binary) {
    try {
      JSON.parse(body.toString('utf8'));
    } catch {
      throw new Error('The body is not JSON');
    }
  }
  return [
    {
      topic,
      event,
      private: isPrivate,
      outbound: { kind: 'user', topic, broadcast: { event, encoding: binary ? 'binary' : 'json', data: body } },
    },
  ];
}
