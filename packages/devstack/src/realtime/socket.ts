import type postgres from 'postgres';
import type { WebSocket } from 'ws';
import type { Log } from '../log.ts';
import { Channel, type ChannelContext } from './channel.ts';
import type { Hub } from './hub.ts';
import { decodeFrame, encodeReply, type Frame, MalformedFrame, type Vsn } from './protocol.ts';
import type { TokenVerifier } from './tokens.ts';

/** Frames one socket may send per second before it is closed: a flood must not starve the rest. */
const MAX_FRAMES_PER_SECOND = 200;
/** A socket that sent nothing, not even a heartbeat (every 25 s), for this long is closed. */
const IDLE_MS = 60_000;
/** The close codes: 1008 policy violation (flood), 1007 invalid data (malformed frame). */
const CLOSE_FLOOD = 1008;
const CLOSE_MALFORMED = 1007;

/**
 * One client connection: decodes its frames, answers heartbeats, routes pushes to its channels,
 * and closes it (never the server) on a malformed frame, a flood or silence.
 */
export class ClientSocket {
  private readonly channels = new Map<string, Channel>();
  private readonly context: ChannelContext;
  private windowStart = Date.now();
  private framesInWindow = 0;
  private lastSeen = Date.now();
  private idleTimer: NodeJS.Timeout;
  /** Frames are handled one after another, in the order they came. */
  private queue = Promise.resolve();

  constructor(
    private readonly ws: WebSocket,
    readonly vsn: Vsn,
    apiKey: string,
    options: { sql: postgres.Sql; hub: Hub; tokens: TokenVerifier; log: Log },
  ) {
    this.context = {
      vsn,
      apiKey,
      sql: options.sql,
      hub: options.hub,
      tokens: options.tokens,
      send: (data) => {
        if (ws.readyState === ws.OPEN) ws.send(data);
      },
      forget: (channel) => {
        if (this.channels.get(channel.topic) === channel) this.channels.delete(channel.topic);
      },
    };
    ws.on('message', (data: Buffer, isBinary: boolean) => this.receive(data, isBinary, options.log));
    ws.on('close', () => this.end());
    ws.on('error', () => ws.terminate());
    this.idleTimer = setInterval(() => {
      if (Date.now() - this.lastSeen > IDLE_MS) ws.close(1000, 'heartbeat timeout');
    }, IDLE_MS / 4);
    this.idleTimer.unref();
  }

  private receive(data: Buffer, isBinary: boolean, log: Log): void {
    const now = Date.now();
    this.lastSeen = now;
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.framesInWindow = 0;
    }
    if (++this.framesInWindow > MAX_FRAMES_PER_SECOND) {
      this.ws.close(CLOSE_FLOOD, 'Too many messages per second');
      return;
    }
    let frame: Frame;
    try {
      frame = decodeFrame(data, isBinary, this.vsn);
    } catch (error) {
      const reason = error instanceof MalformedFrame ? error.message : 'unreadable';
      this.ws.close(CLOSE_MALFORMED, `Malformed frame: ${reason}`);
      return;
    }
    this.queue = this.queue
      .then(() => this.route(frame))
      .catch((error) => {
        log.error(`realtime: ${frame.event} on ${frame.topic} failed`, error);
        this.context.send(encodeReply(this.vsn, frame, 'error', { reason: 'Unknown Error on Channel' }));
      });
  }

  private async route(frame: Frame): Promise<void> {
    if (frame.topic === 'phoenix' && frame.event === 'heartbeat') {
      this.context.send(encodeReply(this.vsn, frame, 'ok', {}));
      return;
    }
    if (frame.event === 'phx_join') {
      if (!frame.topic.startsWith('realtime:')) {
        this.context.send(encodeReply(this.vsn, frame, 'error', { reason: 'unmatched topic' }));
        return;
      }
      // Joining a topic again replaces the channel, as Phoenix does.
      this.channels.get(frame.topic)?.end();
      const config = (frame.payload as { config?: { private?: unknown } }).config;
      const isPrivate = config?.private === true || config?.private === 'true';
      const channel = new Channel(frame.topic, frame.joinRef, this.context, isPrivate);
      this.channels.set(frame.topic, channel);
      if (!(await channel.join(frame))) this.channels.delete(frame.topic);
      return;
    }
    const channel = this.channels.get(frame.topic);
    if (!channel || (frame.joinRef !== null && frame.joinRef !== channel.joinRef)) {
      this.context.send(encodeReply(this.vsn, frame, 'error', { reason: 'unmatched topic' }));
      return;
    }
    await channel.handle(frame);
  }

  /** Ends every channel (their presences leave) once the connection is gone. */
  private end(): void {
    clearInterval(this.idleTimer);
    for (const channel of [...this.channels.values()]) channel.end();
  }

  close(): void {
    this.ws.terminate();
  }
}
