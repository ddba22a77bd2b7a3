import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for an OpenAI-compatible chat completions API (`POST /v1/chat/completions`), which
 * the test stack's ai-categorize function uses as its provider (OPENAI_BASE_URL), and ai-chat's
 * suites too (streamed requests, answered by `chat`). It records each
 * request (model, response format and its JSON schema, the batch of transactions) and answers as
 * the test tells it: by default each transaction through `answer`, or the next replies queued with
 * `queue`: `dont_know` (every item "unknown"), `malformed` (content that is not JSON), `rate_limited`
 * (429 with retry-after-ms), `server_error` (500), `timeout` (no answer until the client gives up).
 */
export interface FakeItem {
  id: string;
  kind: 'expense' | 'income';
  payee: string | null;
  text: string | null;
  amount_minor: number;
  currency: string;
}

export interface FakeAnswer {
  category: string;
  confidence: number;
  reason?: string;
}

export type FakeReply = 'dont_know' | 'malformed' | 'rate_limited' | 'server_error' | 'timeout';

export interface RecordedRequest {
  authorization: string | undefined;
  model: string;
  responseFormat: { type: string; json_schema?: { name: string; strict: boolean; schema: Record<string, unknown> } };
  /** The category keys the schema allows (its enum). */
  allowed: string[];
  items: FakeItem[];
  /** How the fake answered: `answer` or a queued reply. */
  reply: 'answer' | FakeReply;
}

/**
 * What the fake streams for a chat request (`stream: true`, as ai-chat asks): text in chunks of a
 * few characters, or tool calls (each name's arguments as given, split over chunks as OpenAI does).
 */
export type FakeChatReply = { text: string } | { tool_calls: { name: string; arguments: string }[] };

export interface RecordedChatRequest {
  authorization: string | undefined;
  model: string;
  messages: { role: string; content: string | null; tool_call_id?: string; tool_calls?: unknown[] }[];
  /** The names of the tools offered. */
  tools: string[];
  toolChoice: unknown;
  /** How the fake answered: `chat` or a queued reply. */
  reply: 'chat' | FakeReply;
}

export interface FakeOpenAI {
  url: string;
  requests: RecordedRequest[];
  /** The streamed chat requests, apart from the categorization batches in `requests`. */
  chatRequests: RecordedChatRequest[];
  /** How each chat request is answered when no reply is queued (a `malformed` reply breaks the stream's JSON). */
  chat: (request: RecordedChatRequest) => FakeChatReply;
  /** How each transaction is answered when no reply is queued; undefined answers "unknown". */
  answer: (item: FakeItem) => FakeAnswer | undefined;
  /** Replies for the next requests, in order, before `answer` applies again. */
  queue(...replies: FakeReply[]): void;
  /** Forgets the recorded requests and queued replies. */
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeOpenAI(port: number, apiKey: string): Promise<FakeOpenAI> {
  const queued: FakeReply[] = [];
  const held = new Set<http.ServerResponse>();
  const fake: FakeOpenAI = {
    url: '',
    requests: [],
    answer: () => undefined,
    chatRequests: [],
    chat: () => ({ text: 'Hello from the fake.' }),
    queue: (...replies) => queued.push(...replies),
    reset() {
      fake.requests.length = 0;
      fake.chatRequests.length = 0;
      queued.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const response of held) response.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server = http.createServer(async (request, response) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      return send(404, { error: { message: 'not found', type: 'invalid_request_error' } });
    }
    if (request.headers.authorization !== `Bearer ${apiKey}`) {
      return send(401, { error: { message: 'Incorrect API key provided', type: 'invalid_request_error' } });
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (body.stream === true) return streamChat(body, request.headers.authorization, response);
    const user = body.messages.find((m: { role: string }) => m.role === 'user');
    const { transactions } = JSON.parse(user.content) as { transactions: FakeItem[] };
    const schema = body.response_format?.json_schema?.schema;
    const reply = queued.shift();
    fake.requests.push({
      authorization: request.headers.authorization,
      model: body.model,
      responseFormat: body.response_format,
      allowed: schema?.properties?.answers?.items?.properties?.category?.enum ?? [],
      items: transactions,
      reply: reply ?? 'answer',
    });

    if (reply === 'timeout') {
      held.add(response); // never answered; the client's timeout ends it
      response.on('close', () => held.delete(response));
      return;
    }
    if (reply === 'rate_limited') {
      return send(
        429,
        { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } },
        {
          'retry-after-ms': '20',
        },
      );
    }
    if (reply === 'server_error')
      return send(500, { error: { message: 'The server had an error', type: 'server_error' } });
    const content =
      reply === 'malformed'
        ? '{"answers": [{"id": "t1", "category": '
        : JSON.stringify({
            answers: transactions.map((item) => {
              const given = reply === 'dont_know' ? undefined : fake.answer(item);
              return {
                id: item.id,
                category: given?.category ?? 'unknown',
                confidence: given?.confidence ?? 0,
                reason: given?.reason ?? (given ? 'looks like it' : 'not sure'),
              };
            }),
          });
    send(200, {
      id: `chatcmpl-${fake.requests.length}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [
        { index: 0, message: { role: 'assistant', content, refusal: null }, finish_reason: 'stop', logprobs: null },
      ],
      usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 },
    });
  });
  /** A chat completion streamed as OpenAI streams it: `data:` chunks, then `data: [DONE]`. */
  function streamChat(body: Record<string, unknown>, authorization: string | undefined, response: http.ServerResponse) {
    const reply = queued.shift();
    const recorded: RecordedChatRequest = {
      authorization,
      model: body.model as string,
      messages: body.messages as RecordedChatRequest['messages'],
      tools: ((body.tools as { function: { name: string } }[] | undefined) ?? []).map((t) => t.function.name),
      toolChoice: body.tool_choice,
      reply: reply ?? 'chat',
    };
    fake.chatRequests.push(recorded);
    if (reply === 'timeout') {
      held.add(response);
      response.on('close', () => held.delete(response));
      return;
    }
    if (reply === 'rate_limited' || reply === 'server_error') {
      const status = reply === 'rate_limited' ? 429 : 500;
      return response
        .writeHead(status, { 'content-type': 'application/json', 'retry-after-ms': '20' })
        .end(JSON.stringify({ error: { message: reply, type: reply } }));
    }
    const id = `chatcmpl-chat-${fake.chatRequests.length}`;
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({
        id,
        object: 'chat.completion.chunk',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
      })}\n\n`;
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    response.write(chunk({ role: 'assistant', content: '' }));
    if (reply === 'malformed') {
      response.write(chunk({ content: 'Half an ans' }));
      return response.end('data: {"id": "broken", "choices": [{"delta": \n\n');
    }
    const answer = fake.chat(recorded);
    if ('text' in answer) {
      for (const piece of answer.text.match(/.{1,12}/gsu) ?? []) response.write(chunk({ content: piece }));
      response.write(chunk({}, 'stop'));
    } else {
      answer.tool_calls.forEach((call, index) => {
        const callId = `call_${fake.chatRequests.length}_${index}`;
        const half = Math.ceil(call.arguments.length / 2);
        response.write(
          chunk({
            tool_calls: [
              {
                index,
                id: callId,
                type: 'function',
                function: { name: call.name, arguments: call.arguments.slice(0, half) },
              },
            ],
          }),
        );
        response.write(chunk({ tool_calls: [{ index, function: { arguments: call.arguments.slice(half) } }] }));
      });
      response.write(chunk({}, 'tool_calls'));
    }
    response.end('data: [DONE]\n\n');
  }

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}
