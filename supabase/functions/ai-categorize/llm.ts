import {
  answerSchema,
  batchMessages,
  type LlmAnswer,
  type LlmCategory,
  type LlmItem,
  readAnswers,
} from '@westwallet/shared/categorize';
import { openAiFromEnv } from '../_shared/openai.ts';

/**
 * The LLM stage's provider (the project's, see _shared/openai.ts). Without one the stage is off
 * and the other stages still answer.
 */
export interface LlmProvider {
  classify(categories: readonly LlmCategory[], items: readonly LlmItem[]): Promise<LlmAnswer[] | undefined>;
}

export function llmProvider(): LlmProvider | undefined {
  const provider = openAiFromEnv();
  if (!provider) return undefined;
  const { client, model } = provider;
  return {
    async classify(categories, items) {
      const completion = await provider.call((signal) =>
        client.chat.completions.create(
          {
            model,
            temperature: 0,
            messages: batchMessages(categories, items),
            response_format: { type: 'json_schema', json_schema: answerSchema(categories) },
          },
          { signal },
        )
      );
      // Undefined when the content is not the schema's JSON: the batch counts as unanswered.
      return readAnswers(completion.choices[0]?.message?.content, categories, items);
    },
  };
}
