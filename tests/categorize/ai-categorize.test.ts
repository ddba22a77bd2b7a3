import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { llmProviderTarget } from '../helpers/target.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../setup/fake-openai.ts';
import {
  categorization,
  categorize,
  categorizeCharges,
  categoryOf,
  type Household,
  household,
  spend,
} from './helpers.ts';

/**
 * POST /functions/v1/ai-categorize against a fake OpenAI API (OPENAI_BASE_URL): the cascade's
 * answer for each transaction, and for the unsure ones the model's, in batches of at most 25 with
 * a strict JSON schema, applied from confidence 0.7, paid in credits once per idempotency key.
 * When the model fails or credits run out the other stages' answers still come back.
 */

let fake: FakeOpenAI;
beforeAll(async () => {
  fake = await startFakeOpenAI(llmProviderTarget.fakeApiPort as number, llmProviderTarget.apiKey as string);
});
afterAll(() => fake?.close());
beforeEach(() => {
  fake.reset();
  fake.answer = (item) =>
    item.payee?.startsWith('Blomster')
      ? { category: 'home_furnishing', confidence: 0.92, reason: 'a florist' }
      : undefined;
});

async function unknownPayees(org: Household, count: number, prefix = 'Blomsterhandel') {
  const made = [];
  for (let i = 1; i <= count; i++)
    made.push(await spend(org, { counterparty: `${prefix} ${org.id.slice(0, 6)} ${i}` }));
  return made.map((t) => t.id);
}

describe('the LLM stage', () => {
  it('asks the model about the unsure transactions only, in batches of at most 25, with a strict schema', async () => {
    const org = await household('llm-batches');
    const ids = await unknownPayees(org, 30);
    const grocer = await spend(org, { counterparty: 'Willys Hötorget' });
    const result = await categorize({ org_id: org.id, transaction_ids: [...ids, grocer.id] }, org.owner);
    expect(result.status).toBe(200);
    expect(result.body.llm).toEqual({ status: 'used', credits_charged: 30, batches: 2 });

    expect(fake.requests.map((r) => r.items.length)).toEqual([25, 5]);
    for (const request of fake.requests) {
      expect(request).toMatchObject({
        authorization: `Bearer ${llmProviderTarget.apiKey}`,
        model: 'fake-categorizer',
        responseFormat: { type: 'json_schema', json_schema: { name: 'categorization', strict: true } },
      });
      expect(request.allowed).toEqual(expect.arrayContaining(['groceries', 'home_furnishing', 'salary', 'unknown']));
      expect(request.items.map((i) => i.payee)).not.toContain('Willys Hötorget');
    }
    const byId = new Map(result.body.suggestions.map((s: { transaction_id: string }) => [s.transaction_id, s]));
    expect(byId.get(ids[0])).toMatchObject({
      category_id: org.categories.home_furnishing,
      stage: 'llm',
      confidence: 0.92,
      reason: 'a florist',
      applied: true,
    });
    expect(byId.get(grocer.id)).toMatchObject({ category_id: org.categories.groceries, stage: 'merchant' });
    expect(await categoryOf(ids[29])).toBe(org.categories.home_furnishing);
    expect(await categorization(ids[29])).toMatchObject({ stage: 'llm', applied: true, confidence: 0.92 });
    expect((await categorizeCharges(org.id)).map((c) => c.amount)).toEqual([-25, -5]);

    // Asked again: the stored answers stand, nothing is sent or charged.
    fake.reset();
    const again = await categorize({ org_id: org.id, transaction_ids: ids }, org.owner);
    expect(again.body.llm.status).toBe('not_needed');
    expect(fake.requests).toHaveLength(0);
    expect(await categorizeCharges(org.id)).toHaveLength(2);
  });

  it('applies an answer only from confidence 0.7, and a "don\'t know" never', async () => {
    const org = await household('llm-bar');
    const [unsure, unknown] = await unknownPayees(org, 2, 'Blomsterbod');
    fake.answer = (item) =>
      item.payee?.endsWith(' 1') ? { category: 'home_furnishing', confidence: 0.55 } : undefined;
    const result = await categorize({ org_id: org.id, transaction_ids: [unsure, unknown] }, org.owner);
    expect(result.body.llm.status).toBe('used');
    expect(await categoryOf(unsure)).toBeNull();
    expect(await categorization(unsure)).toMatchObject({ stage: 'llm', confidence: 0.55, applied: false });
    expect(await categoryOf(unknown)).toBeNull();
    const answer = result.body.suggestions.find((s: { transaction_id: string }) => s.transaction_id === unknown);
    expect(answer).toMatchObject({ category_id: null, stage: null, applied: false });
    expect(answer.trail.at(-1)).toMatchObject({ stage: 'llm', category_id: null, confidence: 0 });
  });

  it('never sends or changes a category a person set', async () => {
    const org = await household('llm-user');
    const [id] = await unknownPayees(org, 1);
    await org.owner.client.from('transactions').update({ category_id: org.categories.other_expense }).eq('id', id);
    const result = await categorize({ org_id: org.id, transaction_ids: [id] }, org.owner);
    expect(result.body.suggestions[0]).toMatchObject({ stage: 'user', category_id: org.categories.other_expense });
    expect(fake.requests).toHaveLength(0);
    expect(await categoryOf(id)).toBe(org.categories.other_expense);
  });

  it('charges a text request once per idempotency key', async () => {
    const org = await household('llm-idempotent');
    const ask = {
      org_id: org.id,
      text: 'Blomsterhuset Gamla stan',
      amount_minor: 34_900,
      idempotency_key: 'checkout-42',
    };
    const first = await categorize(ask, org.owner);
    const second = await categorize(ask, org.owner);
    for (const result of [first, second]) {
      expect(result.body.suggestions).toEqual([
        expect.objectContaining({ transaction_id: null, category_id: org.categories.home_furnishing, stage: 'llm' }),
      ]);
    }
    expect(fake.requests).toHaveLength(2);
    expect(await categorizeCharges(org.id)).toEqual([{ amount: -1, idempotency_key: 'ai-categorize:checkout-42:0' }]);
    const other = await categorize({ ...ask, idempotency_key: 'checkout-43' }, org.owner);
    expect(other.body.llm.credits_charged).toBe(1);
    expect(await categorizeCharges(org.id)).toHaveLength(2);
  });
});

describe('when the model fails', () => {
  it('retries a 429 and a 500 and then uses the answer', async () => {
    const org = await household('llm-retry');
    const ids = await unknownPayees(org, 2);
    fake.queue('rate_limited', 'server_error');
    const result = await categorize({ org_id: org.id, transaction_ids: ids }, org.owner);
    expect(fake.requests.map((r) => r.reply)).toEqual(['rate_limited', 'server_error', 'answer']);
    expect(result.body.llm).toEqual({ status: 'used', credits_charged: 2, batches: 1 });
    expect(await categoryOf(ids[0])).toBe(org.categories.home_furnishing);
  });

  it('falls back to the other stages after timeouts, charging nothing', async () => {
    const org = await household('llm-timeout');
    const [id] = await unknownPayees(org, 1);
    const pharmacy = await spend(org, { counterparty: 'Apotek Hjärtat Sveavägen' });
    fake.queue('timeout', 'timeout', 'timeout');
    const result = await categorize({ org_id: org.id, transaction_ids: [id, pharmacy.id] }, org.owner);
    expect(result.status).toBe(200);
    expect(fake.requests).toHaveLength(3); // the first try and two retries
    expect(result.body.llm).toEqual({ status: 'unavailable', credits_charged: 0, batches: 0 });
    const byId = new Map(result.body.suggestions.map((s: { transaction_id: string }) => [s.transaction_id, s]));
    expect(byId.get(pharmacy.id)).toMatchObject({ category_id: org.categories.pharmacy, stage: 'merchant' });
    expect(byId.get(id)).toMatchObject({ category_id: null, stage: null });
    expect(await categorizeCharges(org.id)).toEqual([]);
  });

  it('does not apply or charge a malformed answer', async () => {
    const org = await household('llm-malformed');
    const ids = await unknownPayees(org, 3);
    fake.queue('malformed');
    const result = await categorize({ org_id: org.id, transaction_ids: ids }, org.owner);
    expect(result.body.llm.status).toBe('unavailable');
    expect(fake.requests).toHaveLength(1);
    expect(await categoryOf(ids[0])).toBeNull();
    expect(await categorizeCharges(org.id)).toEqual([]);
  });
});

describe('credits and access', () => {
  it('stops the LLM stage without credits and still answers from the others', async () => {
    const org = await household('llm-broke');
    const [id] = await unknownPayees(org, 1);
    const grocer = await spend(org, { counterparty: 'Rema 1000 Grünerløkka' });
    const [{ balance }] = await adminSql`select balance from public.credit_balances where org_id = ${org.id}`;
    await adminSql`select private.use_credits(${org.id}, ${balance}, 'spent elsewhere', null)`;
    const result = await categorize({ org_id: org.id, transaction_ids: [id, grocer.id] }, org.owner);
    expect(result.status).toBe(200);
    expect(result.body.llm).toEqual({ status: 'no_credits', credits_charged: 0, batches: 0 });
    expect(fake.requests).toHaveLength(0);
    expect(result.body.suggestions).toContainEqual(
      expect.objectContaining({ transaction_id: grocer.id, category_id: org.categories.groceries, stage: 'merchant' }),
    );
  });

  it('answers only members of the organization, and refuses bad input with a code', async () => {
    const [org, stranger] = await Promise.all([household('llm-access'), household('llm-stranger')]);
    const [id] = await unknownPayees(org, 1);
    expect((await categorize({ org_id: org.id, transaction_ids: [id] })).body.error.code).toBe('UNAUTHORIZED');
    const foreign = await categorize({ org_id: org.id, transaction_ids: [id] }, stranger.owner);
    expect(foreign.status).toBe(403);
    for (const bad of [
      {},
      { org_id: org.id },
      { org_id: org.id, transaction_ids: [] },
      { org_id: org.id, transaction_ids: Array.from({ length: 201 }, () => id) },
      { org_id: org.id, text: 'x', amount_minor: 1.5 },
      { org_id: org.id, text: 'x', amount_minor: 100, transaction_ids: [id] },
      'not json',
    ]) {
      const result = await categorize(bad, org.owner);
      expect({ bad, status: result.status, code: result.body.error?.code }).toEqual({
        bad,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
    }
    expect(fake.requests).toHaveLength(0);
  });
});
