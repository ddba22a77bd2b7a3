import {
  CREDITS_PER_TRANSACTION,
  inBatches,
  LLM_CONFIDENCE_BAR,
  type LlmCategory,
  type LlmItem,
} from '@westwallet/shared/categorize';
import { z } from 'zod';
import { requireUser } from '../_shared/auth.ts';
import { asUser, db } from '../_shared/db.ts';
import { endpoint, json } from '../_shared/http.ts';
import { llmProvider } from './llm.ts';

const common = {
  org_id: z.uuid(),
  /** false: rules, history and merchants only, never the model (and never a charge). */
  use_llm: z.boolean().default(true),
  /** Charges for the same key are made once; by default one is derived from what is asked. */
  idempotency_key: z.string().min(8).max(120).optional(),
};

const input = z.union([
  z.strictObject({ ...common, transaction_ids: z.array(z.uuid()).min(1).max(200) }),
  z.strictObject({
    ...common,
    text: z.string().trim().min(1).max(200),
    amount_minor: z.number().int().min(1).max(1e15),
    currency: z.string().regex(/^[A-Z]{3}$/).optional(),
    kind: z.enum(['expense', 'income']).default('expense'),
  }),
]);

interface Suggestion {
  transaction_id: string | null;
  kind: 'expense' | 'income';
  payee: string | null;
  text: string | null;
  amount_minor: number;
  currency: string;
  category_id: string | null;
  stage: 'rule' | 'history' | 'merchant' | 'llm' | 'user' | null;
  confidence: number | null;
  reason: string | null;
  trail: unknown[];
  applied?: boolean;
}

type LlmStatus = 'used' | 'not_needed' | 'off' | 'not_configured' | 'no_credits' | 'viewer' | 'unavailable';

/**
 * POST { org_id, transaction_ids } or { org_id, text, amount_minor, kind? } as a member: the
 * cascade's suggestion for each (rules, history, merchant table), and for those still unsure the
 * LLM's, when a provider is configured and the organization has credits. Answers
 * { suggestions: [{ transaction_id, category_id, stage, confidence, reason, trail, applied }],
 *   llm: { status, credits_charged, batches } }.
 */
export const handler = endpoint(['POST'], async (request) => {
  const user = await requireUser(request);
  const body = input.parse(await request.json().catch(() => undefined));
  const suggestions = await asUser(user, (sql) =>
    'transaction_ids' in body
      ? sql<Suggestion[]>`
          select transaction_id, kind, counterparty as payee, description as text, amount_minor::float8 as amount_minor,
                 currency, suggested_category_id as category_id, stage, confidence::float8 as confidence, reason, trail
          from public.suggest_categories(${body.org_id}, ${body.transaction_ids}::uuid[])`
      : sql<Suggestion[]>`
          select null as transaction_id, ${body.kind}::text as kind, ${body.text}::text as payee, ${body.text}::text as text,
                 ${body.amount_minor}::float8 as amount_minor,
                 coalesce(${
        body.currency ?? null
      }::text, (select base_currency from public.organizations where id = ${body.org_id})) as currency,
                 suggested_category_id as category_id, stage, confidence::float8 as confidence, reason, trail
          from public.suggest_category_for_text(${body.org_id}, ${body.text}, ${body.amount_minor}, ${body.kind})`);
  const unsure = suggestions.filter((s) => s.stage !== 'user' && s.stage !== 'llm' && (s.confidence ?? 0) < 0.5);
  const llm = await llmStage(user, body.org_id, unsure, body.use_llm, body.idempotency_key);
  return json({
    suggestions: suggestions.map((s) => ({
      transaction_id: s.transaction_id,
      category_id: s.category_id,
      stage: s.stage,
      confidence: s.confidence,
      reason: s.reason,
      trail: s.trail,
      applied: s.applied ?? false,
    })),
    llm,
  });
});

async function llmStage(
  user: { id: string; email: string | null },
  orgId: string,
  unsure: Suggestion[],
  wanted: boolean,
  givenKey: string | undefined,
): Promise<{ status: LlmStatus; credits_charged: number; batches: number }> {
  const outcome = { status: 'not_needed' as LlmStatus, credits_charged: 0, batches: 0 };
  if (unsure.length === 0) return outcome;
  if (!wanted) return { ...outcome, status: 'off' };
  const provider = llmProvider();
  if (!provider) return { ...outcome, status: 'not_configured' };
  // The model costs the organization credits: members and up may spend them.
  const [{ may_spend, balance }] = await asUser(
    user,
    (sql) =>
      sql`select (select private.has_org_role(${orgId}, 'member')) as may_spend,
               coalesce((select b.balance from public.credit_balances b where b.org_id = ${orgId}), 0)::float8 as balance`,
  );
  if (!may_spend) return { ...outcome, status: 'viewer' };
  const categories = await db()<LlmCategory[]>`
    select key, name, kind::text as kind from public.categories
    where org_id = ${orgId} and deleted_at is null and key is not null order by sort_order`;
  let credits = balance;
  for (const [index, batch] of inBatches(unsure).entries()) {
    const cost = batch.length * CREDITS_PER_TRANSACTION;
    // Checked before the call so the model is not asked for what cannot be paid.
    if (credits < cost) return { ...outcome, status: 'no_credits' };
    const items: LlmItem[] = batch.map((s, i) => ({
      id: `t${i + 1}`,
      kind: s.kind,
      payee: s.payee,
      text: s.text === s.payee ? null : s.text,
      amount_minor: s.amount_minor,
      currency: s.currency,
    }));
    let answers;
    try {
      answers = await provider.classify(categories, items);
    } catch (error) {
      console.error('ai-categorize: the model did not answer', error instanceof Error ? error.message : error);
      return { ...outcome, status: 'unavailable' };
    }
    if (!answers) return { ...outcome, status: 'unavailable' };
    // Charged once the batch is answered, once per key: a repeated request is not charged again.
    const key = `ai-categorize:${givenKey ?? await digest(orgId, batch)}:${index}`;
    try {
      const [entry] = await db()`select amount, idempotency_key from private.use_credits(
        ${orgId}, ${cost}, ${'AI categorization'}, ${key})`;
      outcome.credits_charged += -Number(entry.amount);
    } catch (error) {
      if (error instanceof Object && 'message' in error && error.message === 'INSUFFICIENT_CREDITS') {
        return { ...outcome, status: 'no_credits' };
      }
      throw error;
    }
    credits -= cost;
    outcome.batches += 1;
    outcome.status = 'used';
    const categoryIds = await db()<{ id: string; key: string }[]>`
      select id, key from public.categories where org_id = ${orgId} and deleted_at is null and key is not null`;
    const idOf = new Map(categoryIds.map((c) => [c.key, c.id]));
    batch.forEach((suggestion, i) => {
      const answer = answers[i];
      suggestion.trail = [
        ...suggestion.trail,
        {
          stage: 'llm',
          category_id: answer.category && idOf.get(answer.category),
          confidence: answer.confidence,
          reason: answer.reason,
        },
      ];
      if (!answer.category) return;
      suggestion.category_id = idOf.get(answer.category) ?? null;
      suggestion.stage = 'llm';
      suggestion.confidence = answer.confidence;
      suggestion.reason = answer.reason;
    });
    await recordAnswers(orgId, batch);
  }
  return outcome;
}

/** Stores the model's answers on the transactions asked about, applying the sure ones. */
async function recordAnswers(orgId: string, batch: Suggestion[]) {
  const answered = batch.filter((s) => s.transaction_id && s.stage === 'llm');
  if (answered.length === 0) return;
  const payload = answered.map((s) => ({
    transaction_id: s.transaction_id,
    category_id: s.category_id,
    confidence: s.confidence,
    reason: s.reason,
  }));
  const rows = await db()<{ transaction_id: string; applied: boolean }[]>`
    select * from private.record_llm_suggestions(${orgId}, ${db().json(payload)}, ${LLM_CONFIDENCE_BAR})`;
  const applied = new Map(rows.map((r) => [r.transaction_id, r.applied]));
  for (const s of answered) s.applied = applied.get(s.transaction_id as string) ?? false;
}

/** A key derived from what was asked, so the same request repeated is charged once. */
async function digest(orgId: string, batch: Suggestion[]): Promise<string> {
  const asked = batch.map((s) => s.transaction_id ?? `${s.kind}:${s.text}:${s.amount_minor}`).sort().join('|');
  const bytes = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${orgId}|${asked}`)));
  return Array.from(bytes.slice(0, 16), (b) => b.toString(16).padStart(2, '0')).join('');
}
