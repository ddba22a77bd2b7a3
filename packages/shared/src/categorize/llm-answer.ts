import { z } from 'zod';
import { LLM_CONFIDENCE_BAR, type LlmCategory, type LlmItem, UNKNOWN_CATEGORY } from './llm-request.ts';

/** A model's answer for one transaction, checked against the batch it was asked. */
export interface LlmAnswer {
  id: string;
  /** The category key, or null for "don't know" (or a key not of the transaction's kind). */
  category: string | null;
  confidence: number;
  reason: string;
  /** Sure enough to become the transaction's category. */
  apply: boolean;
}

const answerBody = z.object({
  answers: z.array(
    z.object({
      id: z.string(),
      category: z.string(),
      confidence: z.number().min(0).max(1),
      reason: z.string().max(500),
    }),
  ),
});

/**
 * Reads the model's message for a batch: JSON of the answer schema, one answer per item it knows
 * (others are "don't know"). Answers undefined when the content is not that JSON at all.
 */
export function readAnswers(
  content: string | null | undefined,
  categories: readonly LlmCategory[],
  items: readonly LlmItem[],
): LlmAnswer[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content ?? '');
  } catch {
    return undefined;
  }
  const body = answerBody.safeParse(parsed);
  if (!body.success) return undefined;
  const kinds = new Map(categories.map((c) => [c.key, c.kind]));
  const given = new Map(body.data.answers.map((a) => [a.id, a]));
  return items.map((item) => {
    const answer = given.get(item.id);
    const known = answer && answer.category !== UNKNOWN_CATEGORY && kinds.get(answer.category) === item.kind;
    const confidence = known ? Math.round(answer.confidence * 1000) / 1000 : 0;
    return {
      id: item.id,
      category: known ? answer.category : null,
      confidence,
      reason: answer?.reason.slice(0, 200) || "the model didn't know",
      apply: Boolean(known) && confidence >= LLM_CONFIDENCE_BAR,
    };
  });
}
