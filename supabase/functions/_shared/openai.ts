import OpenAI from 'openai';
import { db } from './db.ts';
import { Outbound } from './outbound/policy.ts';

export interface AiProvider {
  client: OpenAI;
  model: string;
  /**
   * Runs a request to the provider under the outbound policy (_shared/outbound/): one breaker per
   * endpoint, shared by every invocation, so while the provider is down a call fails at once with
   * BrokenCircuitError instead of each waiting through its retries. `signal` fires at the
   * policy's timeout and when `work` returns: pass it on to a request whose answer is read by
   * then, not to a stream read afterwards. The package retries within the call (429, 5xx, timeouts, honouring retry-after); the
   * policy adds no retries of its own.
   */
  call<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

/**
 * The project's AI provider: any OpenAI-compatible endpoint, configured by the function secrets
 * OPENAI_API_KEY and OPENAI_MODEL (and OPENAI_BASE_URL for another provider than OpenAI).
 * Undefined without a key or a model: each caller says what it does then.
 */
export function openAiFromEnv(): AiProvider | undefined {
  const apiKey = Deno.env.get('OPENAI_API_KEY');
  const model = Deno.env.get('OPENAI_MODEL');
  if (!apiKey || !model) return undefined;
  const maxRetries = Number(Deno.env.get('OPENAI_MAX_RETRIES') ?? 2);
  const timeout = Number(Deno.env.get('OPENAI_TIMEOUT_MS') ?? 20_000);
  const client = new OpenAI({ apiKey, baseURL: Deno.env.get('OPENAI_BASE_URL') || undefined, maxRetries, timeout });
  const breaker = { key: `ai:${new URL(client.baseURL).host}`, timeoutMs: (maxRetries + 1) * timeout + 10_000 };
  return {
    client,
    model,
    call: (work) => new Outbound(db()).call({ ...breaker, isTransient: providerUnwell }, work),
  };
}

/** A refusal of our request (400, 401, 403, 404, 422) says nothing of the provider's health. */
function providerUnwell(error: unknown): boolean {
  if (!(error instanceof OpenAI.APIError) || error.status === undefined) return true;
  return error.status === 408 || error.status === 429 || error.status >= 500;
}
