// The local stand-in for pg_net's background worker: sends the requests queued by
// net.http_get/http_post/http_delete and stores each response in net._http_response under the
// request's id, as pg_net does (packages/devstack/sql/platform/net.sql holds the SQL side).
//
// The queue's trigger notifies 'devstack_net' when a request commits. The worker listens for
// that, and also sweeps the queue at start, on every reconnect and every few seconds, for
// requests committed while it was not listening.

import type postgres from 'postgres';

export interface NetWorkerOptions {
  sql: postgres.Sql;
  log: (line: string) => void;
  concurrency?: number;
}

interface QueuedRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, unknown> | null;
  body: Uint8Array | null;
  timeout_milliseconds: number;
}

interface StoredResponse {
  status_code: number | null;
  content_type: string | null;
  headers: Record<string, string> | null;
  content: string | null;
  timed_out: boolean;
  error_msg: string | null;
}

const CHANNEL = 'devstack_net';
const SWEEP_MS = 3000;
const USER_AGENT = 'pg_net/0.19.5';
// pg_net's default pg_net.ttl
const RESPONSE_TTL = '6 hours';

// libcurl's wording for the failures pg_net reports most often
const CURL_ERRORS: Record<string, string> = {
  ECONNREFUSED: "Couldn't connect to server",
  ENOTFOUND: "Couldn't resolve host name",
  EAI_AGAIN: "Couldn't resolve host name",
  ECONNRESET: 'Failure when receiving data from the peer',
  ERR_INVALID_URL: 'URL using bad/illegal format or missing URL',
};

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// pg_net sends each header as `key: value`, from jsonb_each_text
function requestHeaders(headers: Record<string, unknown> | null): Headers {
  const result = new Headers({ 'user-agent': USER_AGENT });
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== null && value !== undefined) {
      result.set(name, typeof value === 'string' ? value : JSON.stringify(value));
    }
  }
  return result;
}

// pg_net stores the body as a C string: nothing after a NUL byte, and no row text when empty
function responseContent(bytes: ArrayBuffer): string | null {
  const text = new TextDecoder().decode(bytes).split('\u0000')[0] ?? '';
  return text === '' ? null : text;
}

function failure(error: unknown, request: QueuedRequest, elapsedMs: number): StoredResponse {
  const failed = { status_code: null, content_type: null, headers: null, content: null };
  if (error instanceof Error && error.name === 'TimeoutError') {
    return {
      ...failed,
      timed_out: true,
      error_msg: `Timeout of ${request.timeout_milliseconds} ms reached. Total time: ${elapsedMs.toFixed(6)} ms`,
    };
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const message = CURL_ERRORS[cause?.code ?? ''] ?? cause?.message ?? errorText(error);
  return { ...failed, timed_out: false, error_msg: message };
}

async function perform(request: QueuedRequest): Promise<StoredResponse> {
  const started = performance.now();
  const method = request.method.toUpperCase();
  try {
    const response = await fetch(request.url, {
      method,
      headers: requestHeaders(request.headers),
      // fetch cannot send a body with GET, which net.http_get never queues
      body: method === 'GET' || request.body === null ? undefined : new Uint8Array(request.body),
      redirect: 'follow',
      signal: AbortSignal.timeout(request.timeout_milliseconds),
    });
    const content = responseContent(await response.arrayBuffer());
    return {
      status_code: response.status,
      content_type: response.headers.get('content-type'),
      headers: Object.fromEntries(response.headers),
      content,
      timed_out: false,
      error_msg: null,
    };
  } catch (error) {
    return failure(error, request, performance.now() - started);
  }
}

export function startNetWorker(options: NetWorkerOptions): { stop(): Promise<void> } {
  const { sql, log, concurrency = 16 } = options;
  const inFlight = new Set<Promise<void>>();
  let listener: postgres.ListenMeta | undefined;
  let listening: Promise<void> | undefined;
  let draining: Promise<void> | undefined;
  let drainAgain = false;
  let saturated = false;
  let stopped = false;

  // Deleting and returning in one statement claims each request exactly once, however
  // notifications, sweeps and other workers race for it.
  async function claim(limit: number): Promise<QueuedRequest[]> {
    return sql<QueuedRequest[]>`
      delete from net.http_request_queue
      where id in (
        select id from net.http_request_queue
        order by id
        limit ${limit}
        for update skip locked
      )
      returning id::text as id, method, url, headers, body, timeout_milliseconds
    `;
  }

  async function store(id: string, response: StoredResponse): Promise<void> {
    await sql`
      insert into net._http_response (id, status_code, content_type, headers, content, timed_out, error_msg)
      values (
        ${id}, ${response.status_code}, ${response.content_type},
        ${response.headers === null ? null : sql.json(response.headers)},
        ${response.content}, ${response.timed_out}, ${response.error_msg}
      )
    `;
  }

  async function send(request: QueuedRequest): Promise<void> {
    const response = await perform(request);
    if (response.error_msg !== null) {
      log(`net: request ${request.id} to ${request.url} failed: ${response.error_msg}`);
    }
    await store(request.id, response).catch((error: unknown) =>
      log(`net: could not store the response to request ${request.id}: ${errorText(error)}`),
    );
  }

  function track(request: QueuedRequest): void {
    const sending = send(request).finally(() => {
      inFlight.delete(sending);
      // requests may be waiting that no notification will announce again
      if (saturated && !stopped) {
        saturated = false;
        void drain();
      }
    });
    inFlight.add(sending);
  }

  async function claimAvailable(): Promise<void> {
    while (!stopped) {
      const free = concurrency - inFlight.size;
      if (free <= 0) {
        saturated = true;
        return;
      }
      const requests = await claim(free);
      for (const request of requests) {
        track(request);
      }
      if (requests.length < free) {
        return;
      }
    }
  }

  function drain(): Promise<void> {
    if (draining) {
      drainAgain = true;
      return draining;
    }
    draining = (async () => {
      do {
        drainAgain = false;
        await claimAvailable();
      } while (drainAgain && !stopped);
    })()
      .catch((error: unknown) => log(`net: could not read net.http_request_queue: ${errorText(error)}`))
      .finally(() => {
        draining = undefined;
      });
    return draining;
  }

  async function listen(): Promise<void> {
    try {
      // the second callback runs on every (re)connect, when notifications may have been missed
      listener = await sql.listen(
        CHANNEL,
        () => void drain(),
        () => void drain(),
      );
    } catch (error) {
      log(`net: could not listen on ${CHANNEL}, relying on sweeps: ${errorText(error)}`);
    }
  }

  async function sweep(): Promise<void> {
    if (!listener) {
      listening ??= listen().finally(() => {
        listening = undefined;
      });
      await listening;
    }
    await drain();
    await sql`delete from net._http_response where created < now() - ${RESPONSE_TTL}::interval`.catch(
      (error: unknown) => log(`net: could not expire old responses: ${errorText(error)}`),
    );
  }

  const sweeping = setInterval(() => void sweep(), SWEEP_MS);
  void sweep();

  return {
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(sweeping);
      await listening;
      await listener?.unlisten().catch(() => undefined);
      await draining;
      await Promise.allSettled([...inFlight]);
    },
  };
}
