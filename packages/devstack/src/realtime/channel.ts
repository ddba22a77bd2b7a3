import { randomUUID } from 'node:crypto';
import type postgres from 'postgres';
import { type Extension, type Policies, readPolicies, writePolicies } from './authorization.ts';
import { type Hub, type Member, topicKey } from './hub.ts';
import { InvalidSubscription, paramsId, parseSubscriptions, type Subscription } from './postgres-changes.ts';
import { encodeMessage, encodeReply, type Frame, type Vsn } from './protocol.ts';
import type { Claims, TokenVerifier } from './tokens.ts';

/** What a channel needs of the socket it lives on (socket.ts). */
export interface ChannelContext {
  vsn: Vsn;
  /** The `apikey` the socket connected with: the token of a join that brings none. */
  apiKey: string;
  sql: postgres.Sql;
  hub: Hub;
  tokens: TokenVerifier;
  send(data: string | Buffer): void;
  /** Forgets a channel that ended (left, or closed by the server). */
  forget(channel: Channel): void;
}

/** Token checks at most this far apart, as the platform's confirm_token interval. */
const CONFIRM_TOKEN_MS = 5 * 60_000;
/** The platform's default limit of presence messages from one client: 5 per 30 s. */
const PRESENCE_CALLS = 5;
const PRESENCE_WINDOW_MS = 30_000;

interface JoinConfig {
  broadcast?: { ack?: unknown; self?: unknown };
  presence?: { key?: unknown; enabled?: unknown };
  private?: unknown;
  postgres_changes?: unknown;
}

const flag = (value: unknown) => value === true || value === 'true';

/**
 * One joined channel on one socket, following RealtimeWeb.RealtimeChannel: join (token, then for
 * a private channel read access by the policies on realtime.messages), broadcasts with ack and
 * self, presence, Postgres Changes, and access_token refreshes that close the channel with a
 * `system` message when access is lost.
 */
export class Channel implements Member {
  readonly key: string;
  readonly vsn: Vsn;
  subscriptions: Subscription[] = [];
  claims: Claims = { role: 'anon' };
  private policies: Policies = { broadcast: {}, presence: {} };
  private accessToken = '';
  private ack = false;
  private self = false;
  private presenceKey = '';
  private presenceEnabled = false;
  private presencePayload: string | undefined;
  private presenceCalls: number[] = [];
  private tokenTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    readonly topic: string,
    readonly joinRef: string | null,
    private readonly context: ChannelContext,
    private readonly isPrivate: boolean,
  ) {
    this.vsn = context.vsn;
    this.key = topicKey(this.subTopic, isPrivate);
  }

  get subTopic(): string {
    return this.topic.slice('realtime:'.length);
  }

  send(data: string | Buffer): void {
    if (!this.closed) this.context.send(data);
  }

  mayReadBroadcast(): boolean {
    return !this.isPrivate || this.policies.broadcast.read === true;
  }

  mayReadPresence(): boolean {
    return !this.isPrivate || this.policies.presence.read === true;
  }

  private reply(frame: Frame, status: 'ok' | 'error', response: unknown): void {
    this.send(encodeReply(this.vsn, frame, status, response));
  }

  private push(event: string, payload: unknown): void {
    this.send(encodeMessage(this.vsn, this.joinRef, null, this.topic, event, payload));
  }

  private system(extension: string, status: 'ok' | 'error', message: string): void {
    this.push('system', { extension, status, message, channel: this.subTopic });
  }

  /** Joins; on refusal answers the platform's error and returns false. */
  async join(frame: Frame): Promise<boolean> {
    const payload = frame.payload as { config?: JoinConfig; access_token?: unknown; user_token?: unknown };
    const config: JoinConfig = payload.config && typeof payload.config === 'object' ? payload.config : {};
    if (this.subTopic === '') return this.refuse(frame, 'TopicNameRequired: You must provide a topic name');
    this.ack = flag(config.broadcast?.ack);
    this.self = flag(config.broadcast?.self);
    this.presenceEnabled = flag(config.presence?.enabled);
    const key = config.presence?.key;
    this.presenceKey = typeof key === 'string' && key !== '' ? key : randomUUID();

    const token = payload.access_token ?? payload.user_token;
    this.accessToken = typeof token === 'string' && !token.startsWith('sb_') ? token : this.context.apiKey;
    const checked = await this.context.tokens.verify(this.accessToken);
    if (!checked.ok) return this.refuse(frame, `${checked.code}: ${checked.message}`);
    this.claims = checked.claims;

    if (this.isPrivate) {
      this.policies = await readPolicies(this.context.sql, this.subTopic, this.claims, this.readExtensions(), {
        broadcast: {},
        presence: {},
      });
      if (!this.policies.broadcast.read && !this.policies.presence.read) {
        return this.refuse(
          frame,
          `Unauthorized: You do not have permissions to read from this Channel topic: ${this.subTopic}`,
        );
      }
    }

    let changesError: string | undefined;
    try {
      this.subscriptions = parseSubscriptions(config.postgres_changes);
      changesError = await this.unpublished();
    } catch (error) {
      if (!(error instanceof InvalidSubscription)) throw error;
      changesError = error.message;
    }
    if (changesError) this.subscriptions = [];

    this.context.hub.add(this);
    this.scheduleTokenCheck();
    this.reply(frame, 'ok', { postgres_changes: echo(config.postgres_changes) });
    if (changesError) this.system('postgres_changes', 'error', changesError);
    else if (this.subscriptions.length > 0) this.system('postgres_changes', 'ok', 'Subscribed to PostgreSQL');
    if (this.presenceEnabled && this.mayReadPresence()) {
      this.push('presence_state', this.context.hub.presenceState(this));
    }
    return true;
  }

  private readExtensions(): Extension[] {
    return this.presenceEnabled ? ['broadcast', 'presence'] : ['broadcast'];
  }

  private refuse(frame: Frame, reason: string): false {
    this.reply(frame, 'error', { reason });
    return false;
  }

  /** The platform's error for subscriptions no table of the publication matches. */
  private async unpublished(): Promise<string | undefined> {
    for (const { params } of this.subscriptions) {
      const table = params.table && params.table !== '*' ? params.table : null;
      const [row] = await this.context.sql<{ count: number }[]>`
        select count(*)::int as count from pg_publication_tables
        where pubname = 'supabase_realtime' and (${params.schema} = '*' or schemaname = ${params.schema})
          and (${table}::text is null or tablename = ${table})`;
      if (!row?.count) {
        return (
          'Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given ' +
          `connect parameters: [event: ${params.event}, schema: ${params.schema}, table: ${params.table ?? '*'}, ` +
          `filters: [${params.filter ?? ''}]]`
        );
      }
    }
    return undefined;
  }

  /** A push on the joined channel. */
  async handle(frame: Frame): Promise<void> {
    switch (frame.event) {
      case 'broadcast':
        return this.broadcast(frame);
      case 'presence':
        return this.presence(frame);
      case 'access_token':
        return this.refreshToken((frame.payload as { access_token?: unknown }).access_token);
      case 'phx_leave':
        this.reply(frame, 'ok', {});
        this.end();
        return;
      default:
        // The platform ignores other events from clients, as does this.
        return;
    }
  }

  private async mayWrite(extension: Extension): Promise<boolean> {
    if (!this.isPrivate) return true;
    if (this.policies[extension].write === undefined) {
      this.policies = await writePolicies(this.context.sql, this.subTopic, this.claims, [extension], this.policies);
    }
    return this.policies[extension].write === true;
  }

  private async broadcast(frame: Frame): Promise<void> {
    // A private channel's sender without write access gets no answer, as on the platform.
    if (!(await this.mayWrite('broadcast'))) return;
    const except = this.self ? undefined : this;
    if (frame.binary) {
      this.context.hub.publish(this.key, { kind: 'user', topic: this.topic, broadcast: frame.binary }, except);
    } else {
      this.context.hub.publish(
        this.key,
        { kind: 'json', topic: this.topic, event: 'broadcast', payload: frame.payload },
        except,
      );
    }
    if (this.ack) this.reply(frame, 'ok', {});
  }

  private async presence(frame: Frame): Promise<void> {
    const { event, payload } = frame.payload as { event?: unknown; payload?: unknown };
    const now = Date.now();
    this.presenceCalls = this.presenceCalls.filter((at) => now - at < PRESENCE_WINDOW_MS);
    if (this.presenceCalls.length >= PRESENCE_CALLS) return this.shutdown('Client presence rate limit exceeded');
    this.presenceCalls.push(now);
    const kind = typeof event === 'string' ? event.toLowerCase() : '';
    if (kind === 'untrack') {
      this.context.hub.untrack(this);
      this.presencePayload = undefined;
      return this.reply(frame, 'ok', {});
    }
    if (kind !== 'track') return this.reply(frame, 'error', { reason: `UnknownPresenceEvent: ${String(event)}` });
    const meta = payload === undefined ? {} : payload;
    if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) {
      return this.reply(frame, 'error', { reason: 'Presence track payload must be a map' });
    }
    if (this.isPrivate && this.policies.presence.read === undefined) {
      this.policies = await readPolicies(this.context.sql, this.subTopic, this.claims, ['presence'], this.policies);
    }
    if (!(await this.mayWrite('presence'))) return this.reply(frame, 'error', {});
    const serialized = JSON.stringify(meta);
    if (serialized !== this.presencePayload) {
      this.presencePayload = serialized;
      this.context.hub.track(this, this.presenceKey, meta as Record<string, unknown>);
    }
    this.reply(frame, 'ok', {});
  }

  private async refreshToken(token: unknown): Promise<void> {
    if (typeof token !== 'string' || token.startsWith('sb_') || token === this.accessToken) return;
    this.accessToken = token;
    const checked = await this.context.tokens.verify(token);
    if (!checked.ok) return this.shutdown(checked.message);
    this.claims = checked.claims;
    if (this.isPrivate) {
      const previous = this.policies;
      this.policies = await readPolicies(this.context.sql, this.subTopic, this.claims, this.readExtensions(), {
        broadcast: {},
        presence: {},
      });
      const revoked =
        (previous.broadcast.read && !this.policies.broadcast.read) ||
        (previous.presence.read && !this.policies.presence.read);
      if (revoked) {
        return this.shutdown(`You no longer have permission to read from this Channel topic: ${this.subTopic}`);
      }
      if (!this.policies.broadcast.read && !this.policies.presence.read) {
        return this.shutdown(`You do not have permissions to read from this Channel topic: ${this.subTopic}`);
      }
    }
    this.scheduleTokenCheck();
  }

  /** Checks the token again when it expires (or every five minutes), closing the channel then. */
  private scheduleTokenCheck(): void {
    clearTimeout(this.tokenTimer);
    const exp = typeof this.claims.exp === 'number' ? this.claims.exp * 1000 : Date.now() + CONFIRM_TOKEN_MS;
    const delay = Math.max(0, Math.min(CONFIRM_TOKEN_MS, exp - Date.now()));
    this.tokenTimer = setTimeout(() => {
      this.context.tokens
        .verify(this.accessToken)
        .then((checked) => (checked.ok ? this.scheduleTokenCheck() : this.shutdown(checked.message)))
        .catch(() => this.shutdown('Token could not be checked'));
    }, delay + 50);
    this.tokenTimer.unref();
  }

  /** Closes the channel from the server: a `system` error, then `phx_close`, as the platform does. */
  shutdown(message: string): void {
    if (this.closed) return;
    this.system('system', 'error', message);
    this.send(encodeMessage(this.vsn, this.joinRef, this.joinRef, this.topic, 'phx_close', {}));
    this.end();
  }

  /** Leaves the hub and forgets everything; the socket's close ends every channel this way. */
  end(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.tokenTimer);
    this.context.hub.remove(this);
    this.context.forget(this);
  }
}

/**
 * The join reply's postgres_changes: what the client asked for, each with its id, also when the
 * subscription failed (a `system` message says why), so the client's bindings still match.
 */
function echo(raw: unknown): Record<string, unknown>[] {
  if (!Array.isArray(raw)) return [];
  return raw
    .filter((entry): entry is Record<string, unknown> => entry !== null && typeof entry === 'object')
    .map((entry) => ({ ...entry, id: paramsId(entry as never) }));
}
