import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nodemailer from 'nodemailer';

/**
 * A stand-in for Resend's send API (POST /emails), which the test stack's mail-send function
 * uses as its provider: it checks the API key, honours Idempotency-Key as Resend does (the same
 * key again answers the first id and sends nothing), and delivers what it accepts to the mail
 * catcher over SMTP, so tests read provider mail where they read all other mail.
 *
 * Tests script failures per recipient: `POST /_fail { to, times, mode }` makes the next `times`
 * sends to `to` fail: `fail` answers 500 without delivering, `lose-answer` delivers and then
 * answers 500 (the answer lost on the way back), `reject` answers 422 as for a bad address.
 */
export interface FakeResend {
  url: string;
  apiKey: string;
  close(): Promise<void>;
}

interface FailurePlan {
  times: number;
  mode: 'fail' | 'lose-answer' | 'reject';
}

export async function startFakeResend(
  smtp: { host: string; port: number },
  { port = 0, apiKey = `re_test_${randomUUID().replaceAll('-', '')}` }: { port?: number; apiKey?: string } = {},
): Promise<FakeResend> {
  const relay = nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: false, ignoreTLS: true });
  const sentByKey = new Map<string, string>();
  const plans = new Map<string, FailurePlan>();

  const server = http.createServer(async (request, response) => {
    const answer = (status: number, body: unknown) =>
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');

      if (request.method === 'POST' && request.url === '/_fail') {
        plans.set(String(body.to).toLowerCase(), { times: Number(body.times), mode: body.mode });
        return answer(200, {});
      }
      if (request.method !== 'POST' || request.url !== '/emails') return answer(404, { message: 'not found' });
      if (request.headers.authorization !== `Bearer ${apiKey}`) {
        return answer(401, { statusCode: 401, name: 'missing_api_key', message: 'API key is invalid' });
      }
      const to = String(body.to?.[0] ?? '').toLowerCase();
      const key = request.headers['idempotency-key'];
      if (typeof key === 'string' && sentByKey.has(key)) return answer(200, { id: sentByKey.get(key) });

      const plan = plans.get(to);
      const mode = plan && plan.times > 0 ? plan.mode : undefined;
      if (plan && mode) plan.times -= 1;
      if (mode === 'fail') return answer(500, { statusCode: 500, name: 'internal_server_error', message: 'scripted' });
      if (mode === 'reject' || !to.includes('@')) {
        return answer(422, { statusCode: 422, name: 'validation_error', message: 'Invalid `to` field.' });
      }
      const id = randomUUID();
      await relay.sendMail({
        from: body.from,
        to,
        subject: body.subject,
        html: body.html,
        text: body.text,
        messageId: typeof key === 'string' ? `<${key}@westwallet.app>` : undefined,
        headers: body.headers,
      });
      if (typeof key === 'string') sentByKey.set(key, id);
      if (mode === 'lose-answer') {
        return answer(500, { statusCode: 500, name: 'internal_server_error', message: 'scripted lost answer' });
      }
      return answer(200, { id });
    } catch (error) {
      answer(500, { statusCode: 500, name: 'internal_server_error', message: String(error) });
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    apiKey,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      relay.close();
    },
  };
}
