import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Log } from '../log.ts';
import { Mailbox, type Message, summary } from './mailbox.ts';
import { inboxPage } from './page.ts';

/**
 * The local mail catcher, as `supabase start` runs Mailpit: an SMTP server that accepts every
 * message (any or no login, no TLS) and an HTTP server with Mailpit's API for what tests and
 * people need (list, search, read, delete) and a page listing the messages.
 */
export interface MailCatcher {
  /** The web page and API, e.g. http://127.0.0.1:54324. */
  url: string;
  smtpHost: string;
  smtpPort: number;
  close(): Promise<void>;
}

export interface MailCatcherOptions {
  /** 0 for a free port. */
  httpPort: number;
  smtpPort: number;
  log: Log;
}

const HOST = '127.0.0.1';
/** Bigger messages are refused (552), as by Mailpit's --smtp-max-size; the stack's mails are small. */
const MAX_SIZE = 10 * 1024 * 1024;

export async function startMailCatcher(options: MailCatcherOptions): Promise<MailCatcher> {
  const mailbox = new Mailbox();
  const smtp = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    // Auth's SMTP client logs in when configured with a user: accept any credentials, as Mailpit does.
    onAuth: (_auth, _session, callback) => callback(null, { user: 'catcher' }),
    size: MAX_SIZE,
    logger: false,
    // Every client is on this machine: no reverse DNS lookup of it, which on a machine without a
    // resolver can wait on DNS timeouts before the greeting.
    disableReverseLookup: true,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address);
          const message = mailbox.add(
            parsed,
            (stream as unknown as { byteLength?: number }).byteLength ?? 0,
            recipients,
          );
          options.log.info(`caught "${message.Subject}" to ${message.To.map((a) => a.Address).join(', ')}`);
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  await new Promise<void>((resolve, reject) => {
    smtp.once('error', reject);
    smtp.listen(options.smtpPort, HOST, () => resolve());
  });
  smtp.on('error', (error) => options.log.error('SMTP', error));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const web = http.createServer((request, response) => {
    serve(mailbox, request, response).catch((error) => {
      options.log.error('mail catcher request failed', error);
      if (!response.headersSent) send(response, 500, { error: 'internal error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    web.once('error', reject);
    web.listen(options.httpPort, HOST, () => resolve());
  });
  const httpPort = (web.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${httpPort}`,
    smtpHost: HOST,
    smtpPort,
    close: async () => {
      web.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => web.close(() => resolve())),
        new Promise<void>((resolve) => smtp.close(() => resolve())),
      ]);
    },
  };
}

async function serve(mailbox: Mailbox, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://catcher');
  const method = request.method ?? 'GET';
  const route = `${method} ${url.pathname.replace(/\/+$/, '') || '/'}`;
  const messageRoute = url.pathname.match(/^\/api\/v1\/message\/([^/]+)(\/headers)?$/);

  if (route === 'GET /') return sendHtml(response, inboxPage(mailbox.list(url.searchParams.get('query') ?? '')));
  if (route === 'GET /api/v1/messages') return send(response, 200, page(mailbox.list(), url));
  if (route === 'GET /api/v1/search')
    return send(response, 200, page(mailbox.list(url.searchParams.get('query') ?? ''), url));
  if (route === 'DELETE /api/v1/search') {
    mailbox.delete(mailbox.list(url.searchParams.get('query') ?? '').map((message) => message.ID));
    return sendText(response, 'ok');
  }
  if (route === 'DELETE /api/v1/messages') {
    const body = await readJson(request);
    if (body === undefined) return send(response, 400, { error: 'the body is not JSON' });
    const ids = (body as { IDs?: unknown } | null)?.IDs;
    if (ids !== undefined && !(Array.isArray(ids) && ids.every((id) => typeof id === 'string'))) {
      return send(response, 400, { error: 'IDs: a list of message IDs' });
    }
    mailbox.delete(ids as string[] | undefined);
    return sendText(response, 'ok');
  }
  if (messageRoute && method === 'GET') {
    const message = mailbox.get(decodeURIComponent(messageRoute[1]));
    if (!message) return sendText(response, 'message not found', 404);
    if (messageRoute[2]) return send(response, 200, message.Headers);
    return send(response, 200, detail(message));
  }
  return sendText(response, 'not found', 404);
}

/** Mailpit's paging: `start` (offset) and `limit` (default 50). */
function page(messages: Message[], url: URL) {
  const start = Math.max(0, Number.parseInt(url.searchParams.get('start') ?? '0', 10) || 0);
  const limit = Math.max(1, Number.parseInt(url.searchParams.get('limit') ?? '50', 10) || 50);
  const slice = messages.slice(start, start + limit);
  return {
    total: messages.length,
    unread: messages.length,
    count: slice.length,
    messages_count: messages.length,
    start,
    tags: [],
    messages: slice.map(summary),
  };
}

function detail(message: Message) {
  const { Headers: _headers, Created: _created, ...rest } = message;
  return { ...rest, ReturnPath: message.From?.Address ?? '', Tags: [], Inline: [], Attachments: [] };
}

async function readJson(request: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function sendText(response: http.ServerResponse, text: string, status = 200): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(text);
}

function sendHtml(response: http.ServerResponse, html: string): void {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
}
