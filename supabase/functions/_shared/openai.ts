import OpenAI from 'openai';

/**
 * The project's AI provider: any OpenAI-compatible endpoint, configured by the function secrets
 * OPENAI_API_KEY and OPENAI_MODEL (and OPENAI_BASE_URL for another provider than OpenAI).
 * Undefined without a key or a model: each caller says what it does then.
 */
export function openAiFromEnv(): { client: OpenAI; model: string } | undefined {
  const apiKey = Deno.env.get('OPENAI_API_KEY');
  const model = Deno.env.get('OPENAI_MODEL');
  if (!apiKey || !model) return undefined;
  // The package's own retries (429, 5xx, timeouts; honouring retry-after) until the shared
  // outbound policy (supabase/functions/_shared/outbound/) takes over.
  const client = new OpenAI({
    apiKey,
    baseURL: Deno.env.get('OPENAI_BASE_URL') || undefined,
    maxRetries: Number(Deno.env.get('OPENAI_MAX_RETRIES') ?? 2),
    timeout: Number(Deno.env.get('OPENAI_TIMEOUT_MS') ?? 20_000),
  });
  return { client, model };
}
