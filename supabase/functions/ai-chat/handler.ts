import { AppError } from '@westwallet/shared';
import {
  type ChatEvent,
  CREDITS_PER_MESSAGE,
  isLocale,
  MAX_MESSAGE_CHARS,
  sseEvent,
  systemPrompt,
} from '@westwallet/shared/chat';
import { z } from 'zod';
import { requireUser } from '../_shared/auth.ts';
import { corsHeaders } from '../_shared/cors.ts';
import { endpoint } from '../_shared/http.ts';
import { openAiFromEnv } from '../_shared/openai.ts';
import { converse, type Turn } from './conversation.ts';
import { chatContext } from './context.ts';
import { type Asker, asker, conversationOf, history, storedAnswer, storeExchange } from './store.ts';
import { userClient } from './tools.ts';

const input = z.strictObject({
  org_id: z.uuid(),
  /** Absent: a new conversation, whose id the stream's first event gives. */
  conversation_id: z.uuid().optional(),
  message: z.string().trim().min(1).max(MAX_MESSAGE_CHARS),
  /** The same key again (a retry) replays the stored answer: asked and charged once. */
  idempotency_key: z.string().regex(/^[\w.:-]{8,120}$/).optional(),
});

/**
 * POST { org_id, conversation_id?, message, idempotency_key? } as any member (viewers too): the
 * model's answer as Server-Sent Events (docs/ai-chat.md), in the user's language, from the
 * organization's aggregates and read-only tools run with the user's own token. The message and
 * its answer are stored together, and charged CREDITS_PER_MESSAGE, only once the answer is
 * complete: a failed answer leaves the conversation as it was and costs nothing.
 */
export const handler = endpoint(['POST'], async (request) => {
  const user = await requireUser(request);
  const body = input.parse(await request.json().catch(() => undefined));
  const token = request.headers.get('authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1] as string;
  const who: Asker = await asker(user, body.org_id);
  const key = body.idempotency_key ?? crypto.randomUUID();

  const replay = await storedAnswer(who, key);
  if (replay) {
    return stream((send) => {
      send({
        event: 'conversation',
        data: { conversation_id: replay.conversation_id, message_key: key, replayed: true },
      });
      send({ event: 'delta', data: { text: replay.content } });
      send({ event: 'done', data: { message_id: replay.id, credits_charged: 0, tool_rounds: 0 } });
    });
  }
  const conversation = body.conversation_id ? await conversationOf(who, body.conversation_id) : undefined;
  const provider = openAiFromEnv();
  if (!provider) throw new AppError('AI_NOT_CONFIGURED', 'No AI provider is set up on this project.');
  // Checked before asking, so the model is not asked for what cannot be paid; charged after.
  if (who.balance < CREDITS_PER_MESSAGE) {
    throw new AppError(
      'INSUFFICIENT_CREDITS',
      `A chat message costs ${CREDITS_PER_MESSAGE} credits; the organization has ${who.balance}.`,
    );
  }

  const context = await chatContext(user, body.org_id);
  const earlier: Turn[] = conversation ? await history(who, conversation) : [];
  const conversationId = conversation ?? crypto.randomUUID();
  const api = userClient(token);
  // The first request is made before answering, so a provider that fails (after its retries)
  // is a plain 502 the client can retry, not a broken stream.
  const talk = await converse(provider, api, body.org_id, [
    { role: 'system', content: systemPrompt(isLocale(who.locale) ? who.locale : 'en', context) },
    ...earlier,
    { role: 'user', content: body.message },
  ]);

  return stream(async (send) => {
    send({ event: 'conversation', data: { conversation_id: conversationId, message_key: key, replayed: false } });
    const answer = await talk.run(send);
    const stored = await storeExchange(who, {
      conversationId,
      isNew: !conversation,
      key,
      question: body.message,
      answer: answer.text,
      toolCalls: answer.toolCalls,
      credits: CREDITS_PER_MESSAGE,
    });
    send({
      event: 'done',
      data: { message_id: stored.messageId, credits_charged: stored.charged, tool_rounds: answer.rounds },
    });
  });
});

type Send = (event: ChatEvent) => void;

/**
 * A text/event-stream response fed by `produce`. What it throws ends the stream with an `error`
 * event carrying a stable code (AI_UNAVAILABLE for the provider, the AppError's own code, or
 * INTERNAL_ERROR, logged). A client that went away does not stop the work: the answer is still
 * stored and charged, so a retry with the same key replays it.
 */
function stream(produce: (send: Send) => Promise<void> | void): Response {
  const encoder = new TextEncoder();
  let open = true;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send: Send = (event) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(sseEvent(event)));
        } catch {
          open = false;
        }
      };
      try {
        await produce(send);
      } catch (error) {
        send({ event: 'error', data: streamError(error) });
      }
      if (open) controller.close();
    },
    cancel() {
      open = false;
    },
  });
  return new Response(body, {
    headers: {
      ...corsHeaders,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
    },
  });
}

function streamError(error: unknown): { code: string; message: string } {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  const raised = error as { code?: unknown; message?: unknown };
  if (raised?.code === 'PT402' && raised.message === 'INSUFFICIENT_CREDITS') {
    return { code: 'INSUFFICIENT_CREDITS', message: 'The credits ran out while answering; nothing was charged.' };
  }
  console.error('ai-chat: the answer failed', error);
  return { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side; nothing was stored or charged.' };
}
