import type { SupabaseClient } from '@supabase/supabase-js';
import { AppError } from '@westwallet/shared';
import { type ChatEvent, MAX_TOOL_CALLS_PER_ROUND, MAX_TOOL_ROUNDS } from '@westwallet/shared/chat';
import type OpenAI from 'openai';
import type { AiProvider } from '../_shared/openai.ts';
import { runTool, toolDefinitions } from './tools.ts';

export type Turn = OpenAI.Chat.Completions.ChatCompletionMessageParam;
type Chunks = AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>;

// A type, not an interface: it goes into JSON (postgres's sql.json) as it is.
export type ToolCallRecord = { name: string; arguments: string; ok: boolean };

export interface Answer {
  text: string;
  toolCalls: ToolCallRecord[];
  /** Rounds in which the model called tools. */
  rounds: number;
}

/**
 * A conversation turn with the model: the first streamed request is made here (so a provider that
 * does not answer fails before any byte is sent), `run` streams the answer's text as `delta`
 * events and runs the tools the model calls, at most MAX_TOOL_ROUNDS rounds; the round after the
 * last may not call tools, so the model must answer in words.
 */
export async function converse(
  provider: AiProvider,
  api: SupabaseClient,
  orgId: string,
  messages: Turn[],
): Promise<{ run(send: (event: ChatEvent) => void): Promise<Answer> }> {
  const ask = (round: number) =>
    unavailableOnFailure(() =>
      // Without the policy's signal: it is aborted when the call returns, and a stream's body is
      // read after that (the package's own timeout still bounds each request).
      provider.call(() =>
        provider.client.chat.completions.create({
          model: provider.model,
          messages,
          tools: toolDefinitions,
          tool_choice: round < MAX_TOOL_ROUNDS ? 'auto' : 'none',
          stream: true,
        })
      )
    );
  const first: Chunks = await ask(0);
  return {
    async run(send) {
      const answer: Answer = { text: '', toolCalls: [], rounds: 0 };
      let chunks = first;
      for (;;) {
        const { text, calls } = await unavailableOnFailure(() => readRound(chunks, send));
        answer.text += text;
        if (calls.length === 0 || answer.rounds >= MAX_TOOL_ROUNDS) break;
        answer.rounds += 1;
        messages.push({
          role: 'assistant',
          content: text || null,
          tool_calls: calls.map((c) => ({
            id: c.id,
            type: 'function',
            function: { name: c.name, arguments: c.arguments },
          })),
        });
        for (const [index, call] of calls.entries()) {
          const result = index < MAX_TOOL_CALLS_PER_ROUND
            ? await runTool(api, orgId, call.name, call.arguments)
            : { ok: false, content: JSON.stringify({ error: 'TOO_MANY_TOOL_CALLS' }) };
          answer.toolCalls.push({ name: call.name, arguments: call.arguments.slice(0, 200), ok: result.ok });
          send({ event: 'tool', data: { name: call.name, ok: result.ok } });
          messages.push({ role: 'tool', tool_call_id: call.id, content: result.content });
        }
        chunks = await ask(answer.rounds);
      }
      // A stream that ends without words (or only with tool calls past the bound) is no answer.
      if (!answer.text.trim()) throw new AppError('AI_UNAVAILABLE', 'The AI provider gave no answer; try again.');
      return answer;
    },
  };
}

/** One streamed completion: its text, sent on as it comes, and the tool calls it assembles. */
async function readRound(chunks: Chunks, send: (event: ChatEvent) => void) {
  let text = '';
  const calls: { id: string; name: string; arguments: string }[] = [];
  for await (const chunk of chunks) {
    const delta = chunk.choices?.[0]?.delta;
    if (!delta) continue;
    if (typeof delta.content === 'string' && delta.content) {
      text += delta.content;
      send({ event: 'delta', data: { text: delta.content } });
    }
    // Tool calls arrive in pieces: the first names the call, later ones extend its arguments.
    for (const piece of delta.tool_calls ?? []) {
      const call = (calls[piece.index] ??= { id: '', name: '', arguments: '' });
      if (piece.id) call.id = piece.id;
      if (piece.function?.name) call.name += piece.function.name;
      if (piece.function?.arguments) call.arguments += piece.function.arguments;
    }
  }
  return { text, calls: calls.filter(Boolean).map((c, i) => ({ ...c, id: c.id || `call_${i}` })) };
}

/** The provider failing in any way (HTTP errors after retries, timeouts, chunks that are not JSON). */
async function unavailableOnFailure<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError) throw error;
    console.error('ai-chat: the AI provider failed', error instanceof Error ? error.message : error);
    throw new AppError('AI_UNAVAILABLE', 'The AI provider did not answer; nothing was stored or charged. Try again.');
  }
}
