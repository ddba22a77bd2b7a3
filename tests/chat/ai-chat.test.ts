import { randomBytes, randomUUID } from 'node:crypto';
import type { FunctionsRuntime } from '@westwallet/devstack/functions';
import { CREDITS_PER_MESSAGE, MAX_TOOL_ROUNDS } from '@westwallet/shared/chat';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { enrollTotp, verifyTotp } from '../auth/totp.ts';
import { signUpUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { addTransaction, createAccount } from '../helpers/finance.ts';
import { addMember, createOrganization, type Organization, personalOrg } from '../helpers/organizations.ts';
import { target } from '../helpers/target.ts';
import { type FakeOpenAI, startFakeOpenAI } from '../setup/fake-openai.ts';
import { answerText, chat, chatCharges, chatRuntime, eventOf, storedMessages } from './helpers.ts';

/**
 * POST /functions/v1/ai-chat, served by a real Deno runtime against the target stack, with a fake
 * OpenAI API streaming text or tool calls: the answer streamed as events, in the user's language,
 * tools run with the user's own token (so row-level security decides what the model sees), one
 * charge per message key, nothing stored when the answer fails, conversations only their user reads.
 */

const apiKey = `sk-chat-${randomBytes(12).toString('hex')}`;
let fake: FakeOpenAI;
let runtime: FunctionsRuntime;
beforeAll(async () => {
  fake = await startFakeOpenAI(0, apiKey);
  runtime = await chatRuntime({ fake, apiKey });
}, 120_000);
afterAll(async () => {
  await runtime?.stop();
  await fake?.close();
});
beforeEach(() => {
  fake.reset();
  fake.chat = () => ({ text: 'Ni har handlat mat för 1 234,56 kr den här månaden.' });
});

/** An organization with an account and one expense whose payee is unique to the test. */
async function orgWithExpense(label: string, payee: string): Promise<Organization & { transactionId: string }> {
  const org = await createOrganization(label);
  const [{ base_currency: currency }] =
    await adminSql`select base_currency from public.organizations where id = ${org.id}`;
  const accountId = await createAccount(org.owner, org.id, { currency });
  const transaction = await addTransaction(org.owner, {
    org_id: org.id,
    account_id: accountId,
    kind: 'expense',
    booked_on: new Date().toISOString().slice(0, 10),
    amount_minor: 43_210,
    currency,
    counterparty: payee,
  });
  return { ...org, transactionId: transaction.id };
}

const systemOf = (index = 0) => fake.chatRequests[index].messages[0].content as string;

describe('an answer', () => {
  it('streams in events, in the user language, from the aggregates, and is stored and charged once', async () => {
    const org = await orgWithExpense('chat-stream', `Konsum ${randomUUID().slice(0, 6)}`);
    await org.owner.client.from('profiles').update({ locale: 'sv' }).eq('user_id', org.owner.user.id);
    const key = `msg-${randomUUID()}`;
    const result = await chat(runtime, { org_id: org.id, message: 'Hur mycket mat?', idempotency_key: key }, org.owner);

    expect(result.status).toBe(200);
    expect(result.contentType).toMatch(/^text\/event-stream/);
    const kinds = result.events.map((e) => e.event);
    expect(kinds[0]).toBe('conversation');
    expect(kinds.at(-1)).toBe('done');
    expect(kinds.filter((k) => k === 'delta').length).toBeGreaterThan(1);
    expect(answerText(result.events)).toBe('Ni har handlat mat för 1 234,56 kr den här månaden.');
    const conversation = eventOf(result.events, 'conversation');
    expect(conversation).toMatchObject({ message_key: key, replayed: false });
    expect(eventOf(result.events, 'done')).toMatchObject({ credits_charged: CREDITS_PER_MESSAGE, tool_rounds: 0 });

    const [request] = fake.chatRequests;
    expect(request).toMatchObject({ authorization: `Bearer ${apiKey}`, model: 'fake-chat', toolChoice: 'auto' });
    expect(request.tools).toEqual(
      expect.arrayContaining(['search_transactions', 'dashboard', 'contract_stats', 'account_balances']),
    );
    expect(request.messages.at(-1)).toEqual({ role: 'user', content: 'Hur mycket mat?' });
    const system = systemOf();
    expect(system).toContain('Always answer in Swedish');
    expect(system).toContain(org.name);
    for (const part of ['dashboard_last_3_months', 'contracts', 'forecast_next_months', 'health_score']) {
      expect(system).toContain(`"${part}"`);
    }
    // The expense is in this month's dashboard totals.
    expect(system).toContain('"expense_minor":43210');

    expect((await chatCharges(org.id)).map((c) => c.amount)).toEqual([-CREDITS_PER_MESSAGE]);
    const { data: conversations } = await org.owner.client
      .from('chat_conversations')
      .select('id, title')
      .eq('org_id', org.id);
    expect(conversations).toEqual([{ id: conversation?.conversation_id, title: 'Hur mycket mat?' }]);
    const { data: messages } = await org.owner.client
      .from('chat_messages')
      .select('role, content, credits')
      .eq('conversation_id', conversation?.conversation_id as string)
      .order('created_at')
      .order('role');
    expect(messages).toEqual([
      { role: 'user', content: 'Hur mycket mat?', credits: 0 },
      { role: 'assistant', content: answerText(result.events), credits: CREDITS_PER_MESSAGE },
    ]);

    // The same key again replays the stored answer: the model is not asked, nothing is charged.
    fake.reset();
    const again = await chat(runtime, { org_id: org.id, message: 'Hur mycket mat?', idempotency_key: key }, org.owner);
    expect(eventOf(again.events, 'conversation')).toMatchObject({ replayed: true });
    expect(answerText(again.events)).toBe(answerText(result.events));
    expect(eventOf(again.events, 'done')).toMatchObject({ credits_charged: 0 });
    expect(fake.chatRequests).toHaveLength(0);
    expect(await chatCharges(org.id)).toHaveLength(1);
    expect(await storedMessages(org.id)).toHaveLength(2);

    // A follow-up in the conversation sends the earlier exchange along.
    const next = await chat(
      runtime,
      { org_id: org.id, conversation_id: conversation?.conversation_id, message: 'Och förra månaden?' },
      org.owner,
    );
    expect(eventOf(next.events, 'conversation')?.conversation_id).toBe(conversation?.conversation_id);
    expect(fake.chatRequests[0].messages.slice(1).map((m) => [m.role, m.content])).toEqual([
      ['user', 'Hur mycket mat?'],
      ['assistant', answerText(result.events)],
      ['user', 'Och förra månaden?'],
    ]);
    expect(await chatCharges(org.id)).toHaveLength(2);
  });

  it('is asked in each language users choose', async () => {
    const user = await signUpUser('chat-lang', { locale: 'fi' });
    const orgId = await personalOrg(user);
    expect((await chat(runtime, { org_id: orgId, message: 'Paljonko?' }, user)).status).toBe(200);
    expect(systemOf()).toContain('Always answer in Finnish');
    await user.client.from('profiles').update({ locale: 'de' }).eq('user_id', user.user.id);
    await chat(runtime, { org_id: orgId, message: 'Wie viel?' }, user);
    expect(systemOf(1)).toContain('Always answer in German');
  });
});

describe('tools', () => {
  it("run with the user's token: the model sees its organization's rows, not another's", async () => {
    const payee = `Zebrafisk ${randomUUID().slice(0, 8)}`;
    const [own, other] = await Promise.all([
      orgWithExpense('chat-tool-a', payee),
      orgWithExpense('chat-tool-b', payee),
    ]);
    const viewer = await addMember(own, 'viewer');
    fake.chat = (request) =>
      request.messages.some((m) => m.role === 'tool')
        ? { text: 'Jag hittade ett köp.' }
        : { tool_calls: [{ name: 'search_transactions', arguments: JSON.stringify({ text: payee }) }] };

    for (const user of [own.owner, viewer]) {
      fake.reset();
      const result = await chat(runtime, { org_id: own.id, message: `Vad köpte vi hos ${payee}?` }, user);
      expect(result.events.filter((e) => e.event === 'tool')).toEqual([
        { event: 'tool', data: { name: 'search_transactions', ok: true } },
      ]);
      expect(eventOf(result.events, 'done')).toMatchObject({ tool_rounds: 1 });
      // A viewer is offered the same tools: they all only read.
      expect(fake.chatRequests[0].tools).toContain('search_transactions');
      const toolAnswer = fake.chatRequests[1].messages.find((m) => m.role === 'tool')?.content as string;
      expect(toolAnswer).toContain(own.transactionId);
      expect(toolAnswer).not.toContain(other.transactionId);
      expect(toolAnswer).not.toContain(other.id);
    }
    const [stored] = (await storedMessages(own.id)).filter((m) => m.role === 'assistant');
    const [{ tool_calls }] = await adminSql`select tool_calls from public.chat_messages
      where org_id = ${own.id} and role = 'assistant' and user_id = ${own.owner.user.id}`;
    expect(stored.content).toBe('Jag hittade ett köp.');
    expect(tool_calls).toEqual([{ name: 'search_transactions', arguments: JSON.stringify({ text: payee }), ok: true }]);
  });

  it('answer malformed calls with an error the model reads, and the answer still comes', async () => {
    const org = await orgWithExpense('chat-tool-bad', 'Hemköp');
    fake.chat = (request) =>
      request.messages.some((m) => m.role === 'tool')
        ? { text: 'Det gick inte att läsa.' }
        : {
            tool_calls: [
              { name: 'search_transactions', arguments: '{"text": ' },
              { name: 'drop_tables', arguments: '{}' },
              { name: 'dashboard', arguments: JSON.stringify({ from_date: 'last year' }) },
            ],
          };
    const result = await chat(runtime, { org_id: org.id, message: 'Visa allt' }, org.owner);
    expect(result.events.filter((e) => e.event === 'tool').map((e) => e.data)).toEqual([
      { name: 'search_transactions', ok: false },
      { name: 'drop_tables', ok: false },
      { name: 'dashboard', ok: false },
    ]);
    const toolAnswers = fake.chatRequests[1].messages.filter((m) => m.role === 'tool').map((m) => m.content);
    expect(toolAnswers[0]).toContain('ARGUMENTS_NOT_JSON');
    expect(toolAnswers[1]).toContain('UNKNOWN_TOOL');
    expect(toolAnswers[2]).toContain('ARGUMENTS_INVALID');
    expect(answerText(result.events)).toBe('Det gick inte att läsa.');
  });

  it(`stop after ${MAX_TOOL_ROUNDS} rounds: the next request may not call tools`, async () => {
    const org = await orgWithExpense('chat-tool-loop', 'ICA');
    fake.chat = (request) =>
      request.toolChoice === 'none'
        ? { text: 'Här är vad jag vet.' }
        : { tool_calls: [{ name: 'account_balances', arguments: '{}' }] };
    const result = await chat(runtime, { org_id: org.id, message: 'Saldon?' }, org.owner);
    expect(fake.chatRequests.map((r) => r.toolChoice)).toEqual([...Array(MAX_TOOL_ROUNDS).fill('auto'), 'none']);
    expect(eventOf(result.events, 'done')).toMatchObject({ tool_rounds: MAX_TOOL_ROUNDS });
    expect(answerText(result.events)).toBe('Här är vad jag vet.');
    expect(await chatCharges(org.id)).toHaveLength(1);
  });
});

describe('the provider failing', () => {
  it('is retried after a 429, and the message is charged once', async () => {
    const org = await orgWithExpense('chat-429', 'Coop');
    fake.queue('rate_limited');
    const result = await chat(runtime, { org_id: org.id, message: 'Hej' }, org.owner);
    expect(result.status).toBe(200);
    expect(fake.chatRequests.map((r) => r.reply)).toEqual(['rate_limited', 'chat']);
    expect(eventOf(result.events, 'done')).toMatchObject({ credits_charged: CREDITS_PER_MESSAGE });
    expect(await chatCharges(org.id)).toHaveLength(1);
  });

  it('answers 502 AI_UNAVAILABLE when it keeps failing, storing and charging nothing', async () => {
    const org = await orgWithExpense('chat-down', 'Coop');
    fake.queue('server_error', 'server_error', 'server_error');
    const result = await chat(runtime, { org_id: org.id, message: 'Hej' }, org.owner);
    expect(result).toMatchObject({ status: 502, error: { code: 'AI_UNAVAILABLE' } });
    expect(fake.chatRequests).toHaveLength(3);
    expect(await storedMessages(org.id)).toEqual([]);
    expect(await chatCharges(org.id)).toEqual([]);
  });

  it('ends a broken stream with an error event; the retry with the same key is charged once', async () => {
    const org = await orgWithExpense('chat-malformed', 'Coop');
    const ask = { org_id: org.id, message: 'Hej', idempotency_key: `retry-${randomUUID()}` };
    fake.queue('malformed');
    const broken = await chat(runtime, ask, org.owner);
    expect(broken.status).toBe(200);
    expect(broken.events.at(-1)).toMatchObject({ event: 'error', data: { code: 'AI_UNAVAILABLE' } });
    expect(eventOf(broken.events, 'done')).toBeUndefined();
    expect(await storedMessages(org.id)).toEqual([]);
    expect(await chatCharges(org.id)).toEqual([]);

    const retried = await chat(runtime, ask, org.owner);
    expect(eventOf(retried.events, 'done')).toMatchObject({ credits_charged: CREDITS_PER_MESSAGE });
    expect((await storedMessages(org.id)).map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(await chatCharges(org.id)).toHaveLength(1);
  });

  it('treats a stream without words as no answer', async () => {
    const org = await orgWithExpense('chat-empty', 'Coop');
    fake.chat = () => ({ text: '' });
    const result = await chat(runtime, { org_id: org.id, message: 'Hej' }, org.owner);
    expect(result.events.at(-1)).toMatchObject({ event: 'error', data: { code: 'AI_UNAVAILABLE' } });
    expect(await storedMessages(org.id)).toEqual([]);
  });
});

describe('credits and configuration', () => {
  it('answers 402 INSUFFICIENT_CREDITS without credits, before asking the model', async () => {
    const org = await orgWithExpense('chat-broke', 'Coop');
    const [{ balance }] = await adminSql`select balance from public.credit_balances where org_id = ${org.id}`;
    if (Number(balance) > 0) await adminSql`select private.use_credits(${org.id}, ${balance}, 'spent elsewhere', null)`;
    const result = await chat(runtime, { org_id: org.id, message: 'Hej' }, org.owner);
    expect(result).toMatchObject({ status: 402, error: { code: 'INSUFFICIENT_CREDITS' } });
    expect(fake.chatRequests).toHaveLength(0);
    expect(await storedMessages(org.id)).toEqual([]);
  });

  it('answers 503 AI_NOT_CONFIGURED without a provider', async () => {
    const bare = await chatRuntime(null);
    try {
      const org = await orgWithExpense('chat-no-provider', 'Coop');
      const result = await chat(bare, { org_id: org.id, message: 'Hej' }, org.owner);
      expect(result).toMatchObject({ status: 503, error: { code: 'AI_NOT_CONFIGURED' } });
      expect(await storedMessages(org.id)).toEqual([]);
    } finally {
      await bare.stop();
    }
  }, 120_000);
});

describe('privacy', () => {
  it('a conversation is read by its user only, not by the owner, not by another organization', async () => {
    const org = await orgWithExpense('chat-private', 'Coop');
    const member = await addMember(org, 'member');
    const outsider = await signUpUser('chat-outsider');
    const mine = await chat(runtime, { org_id: org.id, message: 'Min privata fråga' }, member);
    const conversationId = eventOf(mine.events, 'conversation')?.conversation_id as string;

    for (const reader of [org.owner, outsider]) {
      const { data: conversations } = await reader.client.from('chat_conversations').select('id').eq('org_id', org.id);
      const { data: messages } = await reader.client.from('chat_messages').select('id').eq('org_id', org.id);
      expect(conversations).toEqual([]);
      expect(messages).toEqual([]);
    }
    const { data: own } = await member.client.from('chat_messages').select('content').eq('org_id', org.id);
    expect(own).toHaveLength(2);

    // Nor can they continue it, or delete it.
    const asOwner = await chat(
      runtime,
      { org_id: org.id, conversation_id: conversationId, message: 'Visa' },
      org.owner,
    );
    expect(asOwner).toMatchObject({ status: 404, error: { code: 'CONVERSATION_NOT_FOUND' } });
    const asOutsider = await chat(runtime, { org_id: org.id, message: 'Visa' }, outsider);
    expect(asOutsider).toMatchObject({ status: 403, error: { code: 'NOT_A_MEMBER' } });
    await org.owner.client.from('chat_conversations').delete().eq('id', conversationId);
    expect(await storedMessages(org.id)).toHaveLength(2);

    // Its user may delete it, messages and all.
    await member.client.from('chat_conversations').delete().eq('id', conversationId);
    expect(await storedMessages(org.id)).toEqual([]);
  });
});

describe('an organization that requires MFA', () => {
  it('answers members at aal2 only, as the Data API does', async () => {
    const org = await orgWithExpense('chat-mfa', 'Coop');
    const member = await addMember(org, 'member');
    const factor = await enrollTotp(org.owner.client);
    await verifyTotp(org.owner.client, factor.factorId, factor.secret);
    const { error } = await org.owner.client.from('organizations').update({ require_mfa: true }).eq('id', org.id);
    expect(error).toBeNull();

    const atAal1 = await chat(runtime, { org_id: org.id, message: 'Hej' }, member);
    expect(atAal1).toMatchObject({ status: 403, error: { code: 'MFA_REQUIRED' } });
    const atAal2 = await chat(runtime, { org_id: org.id, message: 'Hej' }, org.owner);
    expect(atAal2.status).toBe(200);
    expect(eventOf(atAal2.events, 'done')).toMatchObject({ credits_charged: CREDITS_PER_MESSAGE });
    expect(systemOf()).toContain('"dashboard_last_3_months"');
  });
});

describe('bad input', () => {
  it('answers 4xx with stable codes, through the stack too', async () => {
    const org = await createOrganization('chat-input');
    const cases: [unknown, number, string][] = [
      [{ org_id: org.id }, 400, 'VALIDATION_FAILED'],
      [{ org_id: org.id, message: '   ' }, 400, 'VALIDATION_FAILED'],
      [{ org_id: org.id, message: 'x'.repeat(4001) }, 400, 'VALIDATION_FAILED'],
      [{ org_id: 'not-a-uuid', message: 'Hej' }, 400, 'VALIDATION_FAILED'],
      [{ org_id: org.id, message: 'Hej', idempotency_key: 'short' }, 400, 'VALIDATION_FAILED'],
      [{ org_id: org.id, message: 'Hej', model: 'gpt-5' }, 400, 'VALIDATION_FAILED'],
      ['{"org_id": ', 400, 'VALIDATION_FAILED'],
      [{ org_id: org.id, conversation_id: randomUUID(), message: 'Hej' }, 404, 'CONVERSATION_NOT_FOUND'],
      [{ org_id: randomUUID(), message: 'Hej' }, 404, 'ORGANIZATION_NOT_FOUND'],
    ];
    for (const [body, status, code] of cases) {
      expect(await chat(runtime, body, org.owner), JSON.stringify(body)).toMatchObject({ status, error: { code } });
    }
    expect(await chat(runtime, { org_id: org.id, message: 'Hej' })).toMatchObject({
      status: 401,
      error: { code: 'UNAUTHORIZED' },
    });
    expect(fake.chatRequests).toHaveLength(0);

    // The stack serves the function as deployed (its provider may be another: no model call here).
    const token = (await org.owner.client.auth.getSession()).data.session?.access_token;
    const response = await fetch(`${target.url}/functions/v1/ai-chat`, {
      method: 'POST',
      headers: { apikey: target.anonKey, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ org_id: org.id }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).error.code).toBe('VALIDATION_FAILED');
    const get = await fetch(`${target.url}/functions/v1/ai-chat`, { headers: { apikey: target.anonKey } });
    expect(get.status).toBe(405);
    expect((await get.json()).error.code).toBe('METHOD_NOT_ALLOWED');
  });
});
