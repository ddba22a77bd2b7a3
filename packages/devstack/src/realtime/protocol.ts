/**
 * The Phoenix channel protocol as realtime-js speaks it. `vsn=1.0.0` frames are JSON objects;
 * `vsn=2.0.0` frames are JSON arrays `[join_ref, ref, topic, event, payload]`, plus binary frames
 * for user broadcasts (realtime's V2Serializer): a client pushes kind 3 (`user_broadcast_push`),
 * the server fans out kind 4 (`user_broadcast`), each carrying the user's event and a payload
 * that is JSON or opaque bytes.
 */

export type Vsn = '1.0.0' | '2.0.0';

/** A user broadcast as received in a binary frame: the payload is kept as the client's bytes. */
export interface UserBroadcast {
  event: string;
  encoding: 'json' | 'binary';
  data: Buffer;
  /** JSON text the client gets as `meta` (a database broadcast's `{"id": ...}`). */
  metadata?: string;
}

export interface Frame {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  /** A JSON payload, or a user broadcast from a binary frame. */
  payload: unknown;
  binary?: UserBroadcast;
}

/** What one message sent to a topic is, before it is encoded for each subscriber's protocol. */
export type Outbound =
  | { kind: 'json'; topic: string; event: string; payload: unknown }
  | { kind: 'user'; topic: string; broadcast: UserBroadcast };

const USER_BROADCAST_PUSH = 3;
const USER_BROADCAST = 4;
const MAX_FIELD = 255;

export class MalformedFrame extends Error {}

const isRef = (value: unknown): value is string | null => value === null || typeof value === 'string';

function checked(frame: { joinRef: unknown; ref: unknown; topic: unknown; event: unknown; payload: unknown }): Frame {
  const { joinRef, ref, topic, event, payload } = frame;
  if (!isRef(joinRef ?? null) || !isRef(ref ?? null)) throw new MalformedFrame('join_ref and ref must be strings');
  if (typeof topic !== 'string' || typeof event !== 'string')
    throw new MalformedFrame('topic and event must be strings');
  if (payload === null || typeof payload !== 'object') throw new MalformedFrame('payload must be an object');
  return { joinRef: (joinRef as string | null) ?? null, ref: (ref as string | null) ?? null, topic, event, payload };
}

/** Decodes one frame from a client; throws MalformedFrame for anything the protocol does not allow. */
export function decodeFrame(data: Buffer, isBinary: boolean, vsn: Vsn): Frame {
  if (isBinary) {
    if (vsn !== '2.0.0') throw new MalformedFrame('binary frames need vsn 2.0.0');
    return decodeUserBroadcastPush(data);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    throw new MalformedFrame('not JSON');
  }
  if (vsn === '2.0.0') {
    if (!Array.isArray(parsed) || parsed.length < 5) throw new MalformedFrame('expected a V2 array');
    const [joinRef, ref, topic, event, payload] = parsed;
    return checked({ joinRef, ref, topic, event, payload });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MalformedFrame('expected a V1 object');
  }
  const { join_ref, ref, topic, event, payload } = parsed as Record<string, unknown>;
  return checked({ joinRef: join_ref, ref, topic, event, payload });
}

function decodeUserBroadcastPush(data: Buffer): Frame {
  if (data.length < 7 || data[0] !== USER_BROADCAST_PUSH) throw new MalformedFrame('unknown binary frame');
  const sizes = [data[1], data[2], data[3], data[4], data[5]] as number[];
  const encoding = data[6] === 0 ? 'binary' : 'json';
  let offset = 7;
  const fields = sizes.map((size) => {
    if (offset + size > data.length) throw new MalformedFrame('binary frame shorter than its header');
    const field = data.subarray(offset, offset + size).toString('utf8');
    offset += size;
    return field;
  });
  const [joinRef, ref, topic, event] = fields as [string, string, string, string, string];
  const body = Buffer.from(data.subarray(offset));
  if (encoding === 'json') {
    try {
      JSON.parse(body.toString('utf8'));
    } catch {
      throw new MalformedFrame('broadcast payload is not JSON');
    }
  }
  return {
    joinRef: joinRef || null,
    ref: ref || null,
    topic,
    event: 'broadcast',
    payload: {},
    binary: { event, encoding, data: body },
  };
}

/** A reply to a client's push (`phx_reply`). */
export function encodeReply(
  vsn: Vsn,
  frame: Pick<Frame, 'joinRef' | 'ref' | 'topic'>,
  status: 'ok' | 'error',
  response: unknown,
): string {
  return encodeMessage(vsn, frame.joinRef, frame.ref, frame.topic, 'phx_reply', { status, response });
}

export function encodeMessage(
  vsn: Vsn,
  joinRef: string | null,
  ref: string | null,
  topic: string,
  event: string,
  payload: unknown,
): string {
  return vsn === '2.0.0'
    ? JSON.stringify([joinRef, ref, topic, event, payload])
    : JSON.stringify({ join_ref: joinRef, ref, topic, event, payload });
}

/**
 * Encodes a message sent to a topic for one protocol version; undefined where that version cannot
 * carry it (opaque bytes to a 1.0.0 client, which the platform drops too).
 */
export function encodeOutbound(vsn: Vsn, message: Outbound): string | Buffer | undefined {
  if (message.kind === 'json') return encodeMessage(vsn, null, null, message.topic, message.event, message.payload);
  const { topic, broadcast } = message;
  if (vsn === '2.0.0') return encodeUserBroadcast(topic, broadcast);
  if (broadcast.encoding === 'binary') return undefined;
  const meta = broadcast.metadata ? `,"meta":${broadcast.metadata}` : '';
  const payload = `{"event":${JSON.stringify(broadcast.event)},"payload":${broadcast.data.toString('utf8')},"type":"broadcast"${meta}}`;
  return `{"join_ref":null,"ref":null,"topic":${JSON.stringify(topic)},"event":"broadcast","payload":${payload}}`;
}

function encodeUserBroadcast(topic: string, broadcast: UserBroadcast): Buffer {
  const topicBytes = Buffer.from(topic, 'utf8');
  const eventBytes = Buffer.from(broadcast.event, 'utf8');
  const metadataBytes = Buffer.from(broadcast.metadata ?? '', 'utf8');
  if (topicBytes.length > MAX_FIELD || eventBytes.length > MAX_FIELD || metadataBytes.length > MAX_FIELD) {
    throw new MalformedFrame('field over 255 bytes');
  }
  const header = Buffer.from([
    USER_BROADCAST,
    topicBytes.length,
    eventBytes.length,
    metadataBytes.length,
    broadcast.encoding === 'json' ? 1 : 0,
  ]);
  return Buffer.concat([header, topicBytes, eventBytes, metadataBytes, broadcast.data]);
}
