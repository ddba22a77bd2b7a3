import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for an OpenAI-compatible chat completions API (`POST /v1/chat/completions`), which
 * the test stack's ai-categorize function uses as its provider (OPENAI_BASE_URL). It records each
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

export interface FakeOpenAI {
  url: string;
  requests: RecordedRequest[];
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
    queue: (...replies) => queued.push(...replies),
    reset() {
      fake.requests.length = 0;
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
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  return fake;
}
