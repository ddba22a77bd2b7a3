/**
 * What the categorizer's LLM stage sends to an OpenAI-compatible chat completions endpoint: one
 * request per batch of at most 25 transactions, answered through a strict JSON schema whose
 * category is one of the organization's keys or `unknown` ("don't know").
 */

/** At most this many transactions go into one model request. */
export const LLM_BATCH_SIZE = 25;

/** An answer is applied as the category only from this confidence on. */
export const LLM_CONFIDENCE_BAR = 0.7;

/** Credits one transaction sent to the model costs, charged per batch once it is answered. */
export const CREDITS_PER_TRANSACTION = 1;

/** The answer that means "don't know". */
export const UNKNOWN_CATEGORY = 'unknown';

export interface LlmCategory {
  key: string;
  name: string;
  kind: 'expense' | 'income';
}

export interface LlmItem {
  /** A short id within the batch (`t1`, `t2`, ...), so the model never sees our row ids. */
  id: string;
  kind: 'expense' | 'income';
  payee: string | null;
  text: string | null;
  amount_minor: number;
  currency: string;
}

/** Splits `items` into batches of at most LLM_BATCH_SIZE. */
export function inBatches<T>(items: readonly T[], size = LLM_BATCH_SIZE): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/** The strict JSON schema of the model's answer for a batch, its categories as an enum. */
export function answerSchema(categories: readonly LlmCategory[]) {
  const keys = [...new Set(categories.map((c) => c.key))].sort();
  return {
    name: 'categorization',
    strict: true,
    schema: {
      type: 'object',
      properties: {
        answers: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              id: { type: 'string', description: 'The id of the transaction answered.' },
              category: {
                type: 'string',
                enum: [...keys, UNKNOWN_CATEGORY],
                description: `A category key, or "${UNKNOWN_CATEGORY}" when unsure.`,
              },
              confidence: { type: 'number', description: 'How sure, from 0 to 1.' },
              reason: { type: 'string', description: 'Why, in a few words.' },
            },
            required: ['id', 'category', 'confidence', 'reason'],
            additionalProperties: false,
          },
        },
      },
      required: ['answers'],
      additionalProperties: false,
    },
  } as const;
}

const instructions = [
  'You categorize household and small-company bank transactions from the Nordic countries.',
  'For each transaction, choose the one category key that fits it, of the same kind (expense or income).',
  `Answer "${UNKNOWN_CATEGORY}" with confidence 0 when you cannot tell; never guess.`,
  'Amounts are in minor units of the currency (12500 SEK is 125.00 kronor).',
].join(' ');

/** The chat messages for one batch. */
export function batchMessages(categories: readonly LlmCategory[], items: readonly LlmItem[]) {
  return [
    { role: 'system' as const, content: instructions },
    {
      role: 'user' as const,
      content: JSON.stringify({
        categories: categories.map(({ key, name, kind }) => ({ key, name, kind })),
        transactions: items,
      }),
    },
  ];
}
