import fs from 'node:fs';
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
