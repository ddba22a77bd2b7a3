import {
  answerSchema,
  batchMessages,
  type LlmAnswer,
  type LlmCategory,
  type LlmItem,
  readAnswers,
} from '@westwallet/shared/categorize';
import OpenAI from 'openai';

/**
 * The LLM stage's provider: any OpenAI-compatible endpoint, configured by the function's secrets
 * OPENAI_API_KEY and OPENAI_MODEL (and OPENAI_BASE_URL for another provider than OpenAI).
 * Without a key or a model the stage is off and the other stages still answer.
 */
export interface LlmProvider {
  classify(categories: readonly LlmCategory[], items: readonly LlmItem[]): Promise<LlmAnswer[] | undefined>;
}

export function llmProvider(): LlmProvider | undefined {
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
  return {
    async classify(categories, items) {
      const completion = await client.chat.completions.create({
        model,
        temperature: 0,
        messages: batchMessages(categories, items),
        response_format: { type: 'json_schema', json_schema: answerSchema(categories) },
      });
      // Undefined when the content is not the schema's JSON: the batch counts as unanswered.
      return readAnswers(completion.choices[0]?.message?.content, categories, items);
    },
  };
}
