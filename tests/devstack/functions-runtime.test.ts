import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { type FunctionsRuntime, startFunctions } from '@westwallet/devstack/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** The local edge runtime itself, on fixture functions that the project must never deploy. */
describe('the local edge functions runtime', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'westwallet-functions-'));
  const errors: string[] = [];
  let runtime: FunctionsRuntime;

  const write = (name: string, source: string) => {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, 'handler.ts'), source);
  };
  const call = (pathname: string, init?: RequestInit) =>
    runtime.fetch(new Request(`http://127.0.0.1/functions/v1${pathname}`, init), pathname.replace(/\?.*$/, ''));

  beforeAll(async () => {
    write('boom', `export function handler(): Response { throw new Error('kaboom in the ledger'); }`);
    write(
      'echo',
      `export async function handler(request: Request): Promise<Response> {
        const url = new URL(request.url);
        return Response.json({
          path: url.pathname, query: url.searchParams.get('q'), method: request.method,
          body: await request.text(), supabaseUrl: Deno.env.get('SUPABASE_URL'),
        });
      }`,
    );
    write('off', `export function handler(): Response { return new Response('should not run'); }`);
    write(
      'fetch',
      `export async function handler(request: Request): Promise<Response> {
        try {
          const answer = await fetch(new URL(request.url).searchParams.get('url') as string);
          return Response.json({ status: answer.status, body: await answer.text() });
        } catch (error) {
          return Response.json({ error: String((error as Error).cause ?? error) });
        }
      }`,
    );
    runtime = await startFunctions({
      dir,
      env: { SUPABASE_URL: 'http://127.0.0.1:9' },
      disabled: ['off'],
      watch: false,
      log: { info: () => {}, error: (line) => errors.push(line) },
    });
  });

  afterAll(async () => {
    await runtime?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes method, sub-path, query, body and the platform environment to the function', async () => {
    const response = await call('/echo/invoices/7?q=unpaid', { method: 'POST', body: 'hello' });
    expect(await response.json()).toEqual({
      path: '/echo/invoices/7',
      query: 'unpaid',
      method: 'POST',
      body: 'hello',
      supabaseUrl: 'http://127.0.0.1:9',
    });
  });

  it('trusts the certificates NODE_EXTRA_CA_CERTS names, as Node and npm do, and no others', async () => {
    // A server whose certificate only the fixture's CA vouches for, as behind a TLS-inspecting proxy.
    const tls = path.join(import.meta.dirname, 'fixtures/tls');
    const server = https.createServer(
      { cert: fs.readFileSync(path.join(tls, 'server.pem')), key: fs.readFileSync(path.join(tls, 'server.key')) },
      (_, response) => response.end('trusted'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const ambient = process.env.NODE_EXTRA_CA_CERTS;
    process.env.NODE_EXTRA_CA_CERTS = path.join(tls, 'ca.pem');
    const trusting = await startFunctions({
      dir,
      env: {},
      disabled: [],
      watch: false,
      log: { info: () => {}, error: (line) => errors.push(line) },
    }).finally(() => {
      if (ambient === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
      else process.env.NODE_EXTRA_CA_CERTS = ambient;
    });
    try {
      const fetched = (runtime: FunctionsRuntime) =>
        runtime
          .fetch(new Request(`http://127.0.0.1/functions/v1/fetch?url=${encodeURIComponent(url)}`), '/fetch')
          .then((response) => response.json());
      expect(await fetched(trusting)).toEqual({ status: 200, body: 'trusted' });
      // The runtime started without that CA refuses the same server.
      expect(await fetched(runtime)).toMatchObject({ error: expect.stringMatching(/certificate|UnknownIssuer/i) });
    } finally {
      await trusting.stop();
      server.close();
    }
  });

  it('answers a function that throws with 500 and a JSON code, and logs the stack, not in the response', async () => {
    const response = await call('/boom');
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text).error.code).toBe('FUNCTION_FAILED');
    expect(text).not.toContain('kaboom');
    expect(text).not.toContain('handler.ts');
    await expect.poll(() => errors.join('\n')).toContain('kaboom in the ledger');
    expect(errors.join('\n')).toMatch(/at .*boom\/handler\.ts:\d+/);
  });

  it('answers 404 with a JSON code for unknown and disabled functions', async () => {
    for (const name of ['/nothing-here', '/off']) {
      const response = await call(name);
      expect(response.status).toBe(404);
      expect((await response.json()).error.code).toBe('FUNCTION_NOT_FOUND');
    }
  });
});
