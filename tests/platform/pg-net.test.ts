import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSql, rolledBack } from '../helpers/db.ts';

/**
 * pg_net's SQL API as migrations use it: requests sent after commit, responses stored.
 * On the local stack this is the devstack's stand-in and workers; against a hosted project, the
 * real extension. Names are unique per run, so the suite can run again on the same database.
 */

const run = randomUUID().replaceAll('-', '').slice(0, 10);
const POLL = { timeout: 15_000, interval: 200 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

describe('net, the pg_net API', () => {
  const received: Received[] = [];
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body });
        if (request.url?.endsWith('/slow')) {
          setTimeout(() => response.end('too late'), 3000);
          return;
        }
        response.writeHead(201, { 'Content-Type': 'application/json', 'X-Reply': 'yes' });
        response.end(JSON.stringify({ path: request.url }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${run}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const requestsTo = (path: string) => received.filter((request) => request.url.startsWith(`/${run}${path}`));
  const response = async (id: string) =>
    (
      await adminSql`
        select status_code, content_type, headers, content, timed_out, error_msg
        from net._http_response where id = ${id}`
    )[0];

  it('sends a committed http_post with its body, headers and query params and stores the response', async () => {
    const [{ id }] = await adminSql`
      select net.http_post(
        url := ${`${base}/post`},
        body := '{"hello": "world"}',
        params := '{"q": "a b&c"}',
        headers := '{"Content-Type": "application/json", "X-Test": "yes"}'
      )::text as id`;

    await expect.poll(() => response(id), POLL).toBeDefined();
    const [request] = requestsTo('/post');
    expect(request.method).toBe('POST');
    expect(request.url).toBe(`/${run}/post?q=a%20b%26c`);
    expect(request.headers['x-test']).toBe('yes');
    expect(request.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({ hello: 'world' });

    const stored = await response(id);
    expect(stored).toMatchObject({
      status_code: 201,
      content_type: 'application/json',
      timed_out: false,
      error_msg: null,
    });
    expect(stored.headers['x-reply']).toBe('yes');
    expect(JSON.parse(stored.content)).toEqual({ path: `/${run}/post?q=a%20b%26c` });
    const [{ queued }] = await adminSql`select count(*)::int as queued from net.http_request_queue where id = ${id}`;
    expect(queued).toBe(0);
  });

  it('sends http_get and http_delete with their methods', async () => {
    const [{ get }] = await adminSql`select net.http_get(${`${base}/get`}, '{"page": "2"}')::text as get`;
    const [{ del }] = await adminSql`select net.http_delete(${`${base}/delete`})::text as del`;
    await expect.poll(async () => (await response(get)) && (await response(del)), POLL).toBeDefined();
    expect(requestsTo('/get').map((request) => `${request.method} ${request.url}`)).toEqual([`GET /${run}/get?page=2`]);
    expect(requestsTo('/delete').map((request) => request.method)).toEqual(['DELETE']);
  });

  it('does not send a request before its transaction commits', async () => {
    await adminSql.begin(async (tx) => {
      await tx`select net.http_get(${`${base}/after-commit`})`;
      await sleep(1500);
      expect(requestsTo('/after-commit')).toHaveLength(0);
    });
    await expect.poll(() => requestsTo('/after-commit').length, POLL).toBe(1);
  });

  it('never sends a request whose transaction rolls back', async () => {
    await rolledBack((tx) => tx`select net.http_get(${`${base}/rolled-back`})`);
    await adminSql`select net.http_get(${`${base}/committed-later`})`;
    await expect.poll(() => requestsTo('/committed-later').length, POLL).toBe(1);
    await sleep(500);
    expect(requestsTo('/rolled-back')).toHaveLength(0);
  });

  it('records a request that outlives its timeout as timed out', async () => {
    const [{ id }] = await adminSql`select net.http_get(${`${base}/slow`}, timeout_milliseconds := 300)::text as id`;
    await expect.poll(() => response(id), POLL).toBeDefined();
    const stored = await response(id);
    expect(stored).toMatchObject({ status_code: null, timed_out: true });
    expect(stored.error_msg).toMatch(/^Timeout of 300 ms reached/);
  });

  it('records a refused connection as an error without a status code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    const [{ id }] = await adminSql`select net.http_get(${`http://127.0.0.1:${port}/`})::text as id`;
    await expect.poll(() => response(id), POLL).toBeDefined();
    const stored = await response(id);
    expect(stored).toMatchObject({ status_code: null, timed_out: false });
    expect(stored.error_msg).toBeTruthy();
  });
});
