import {
  BrokenCircuitError,
  circuitBreaker,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import type postgres from 'postgres';

/**
 * The one resilience policy for outbound calls (webhook receivers, the mail provider, Stripe, the
 * AI providers): a timeout per attempt, retries with exponential backoff within the call, and a
 * circuit breaker per key, all cockatiel's. The breaker's state lives in
 * private.outbound_breakers, read before and written after each call, because every function
 * invocation is a new process that would otherwise start with a closed breaker and hammer a
 * receiver that is down.
 */

export { BrokenCircuitError };

export interface OutboundCall {
  /** Whose breaker: `webhook:<endpoint id>`, `mail:resend`, `stripe`. */
  key: string;
  /** Per attempt; the call's function gets an AbortSignal that fires then. */
  timeoutMs: number;
  /** Attempts within this call (1: no retry here, e.g. when a durable schedule retries). */
  attempts?: number;
  /** Open after this many failures in a row (5). */
  breakerFailures?: number;
  /** Let one probe through after this long open (30 s). */
  halfOpenMs?: number;
  /**
   * Whether a failure says the service is unwell (counts for the breaker and is retried). A
   * refusal of our request (a bad address, a 4xx) does not: default, every error counts.
   */
  isTransient?: (error: unknown) => boolean;
}

interface Loaded {
  breaker: CircuitBreakerPolicy;
  saved: string;
  halfOpenMs: number;
  /** When another invocation holds the probe, until when (epoch ms). */
  probeTakenUntil: number;
}

type Serialized = { ownState: { value: CircuitState; openedAt?: number } };

/** Outbound calls sharing breakers through the database; one per invocation. */
export class Outbound {
  private readonly breakers = new Map<string, Promise<Loaded>>();

  constructor(private readonly sql: postgres.Sql) {}

  /** Runs `work` under the policy; throws BrokenCircuitError without calling while the breaker is open. */
  async call<T>(options: OutboundCall, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const loaded = await this.load(options);
    if ((loaded.breaker.toJSON() as Serialized).ownState.value === CircuitState.Open) {
      if (openUntil(loaded) > Date.now()) throw new BrokenCircuitError();
      // The probe is due. Each invocation holds its own copy of the breaker, so the one that
      // moves open_until forward in the database probes; the others wait as if still open.
      const [row] = await this.sql<{ taken: boolean; until: number | null }[]>`
        with lease as (
          update private.outbound_breakers set open_until = now() + make_interval(secs => ${loaded.halfOpenMs / 1000})
          where key = ${options.key} and (open_until is null or open_until <= now())
          returning key
        )
        select exists (select from lease) as taken,
               (select extract(epoch from b.open_until) * 1000 from private.outbound_breakers b where b.key = ${options.key})::float8 as until`;
      if (!row?.taken) {
        loaded.probeTakenUntil = row?.until ?? Date.now() + loaded.halfOpenMs;
        throw new BrokenCircuitError();
      }
    }
    const transient = options.isTransient ?? (() => true);
    const policy = wrap(
      retry(handleWhen((error) => !(error instanceof BrokenCircuitError) && transient(error)), {
        maxAttempts: Math.max(0, (options.attempts ?? 1) - 1),
        backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 2_000 }),
      }),
      loaded.breaker,
      timeout(options.timeoutMs, TimeoutStrategy.Aggressive),
    );
    try {
      return await policy.execute(({ signal }) => work(signal));
    } finally {
      await this.save(options.key, loaded);
    }
  }

  /** Milliseconds until the key's breaker lets a probe through (0 when closed or due). */
  async openForMs(key: string): Promise<number> {
    const loaded = await this.breakers.get(key);
    return loaded ? Math.max(0, openUntil(loaded) - Date.now()) : 0;
  }

  private load(options: OutboundCall): Promise<Loaded> {
    let loading = this.breakers.get(options.key);
    if (!loading) {
      const halfOpenMs = options.halfOpenMs ?? 30_000;
      const transient = options.isTransient ?? (() => true);
      loading = this.sql<{ state: unknown }[]>`
        select state from private.outbound_breakers where key = ${options.key}`.then(([row]) => {
        const breaker = circuitBreaker(handleWhen(transient), {
          halfOpenAfter: halfOpenMs,
          breaker: new ConsecutiveBreaker(options.breakerFailures ?? 5),
          initialState: row?.state ?? undefined,
        });
        return { breaker, saved: JSON.stringify(row?.state ?? null), halfOpenMs, probeTakenUntil: 0 };
      });
      this.breakers.set(options.key, loading);
    }
    return loading;
  }

  private async save(key: string, loaded: Loaded): Promise<void> {
    const state = loaded.breaker.toJSON() as Serialized;
    const json = JSON.stringify(state);
    if (json === loaded.saved) return;
    loaded.saved = json;
    const open = state.ownState.value === CircuitState.Open;
    const openUntil = open ? new Date((state.ownState.openedAt ?? 0) + loaded.halfOpenMs) : null;
    await this.sql`
      insert into private.outbound_breakers (key, state, open_until, updated_at)
      values (${key}, ${this.sql.json(state as postgres.JSONValue)}, ${openUntil}, now())
      on conflict (key) do update set state = excluded.state, open_until = excluded.open_until, updated_at = now()`;
  }
}

/** Until when the breaker refuses calls (epoch ms; 0 when closed): its own opening or another's probe. */
function openUntil(loaded: Loaded): number {
  const { ownState } = loaded.breaker.toJSON() as Serialized;
  if (ownState.value !== CircuitState.Open) return 0;
  return Math.max((ownState.openedAt ?? 0) + loaded.halfOpenMs, loaded.probeTakenUntil);
}
