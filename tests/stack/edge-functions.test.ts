import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { anonClient } from '../helpers/clients.ts';
import { target } from '../helpers/target.ts';

const latestMigration = fs
  .readdirSync(path.resolve(import.meta.dirname, '../../supabase/migrations'))
  .filter((file) => file.endsWith('.sql'))
  .sort()
  .at(-1)
  ?.slice(0, 14);

const call = (name: string, init: RequestInit = {}) =>
  fetch(`${target.url}/functions/v1/${name}`, {
    ...init,
    headers: { apikey: target.anonKey, Authorization: `Bearer ${target.anonKey}`, ...init.headers },
  });

describe('edge functions under /functions/v1', () => {
  it('tells anyone only that the service is up', async () => {
    const response = await call('health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it.each([
    ['as a bearer token', { Authorization: `Bearer ${target.serviceKey}` }],
    ['as the apikey', { apikey: target.serviceKey, Authorization: '' }],
  ])('gives the database state to a caller with the secret key %s', async (_, headers) => {
    const response = await call('health', { headers });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.status).toBe('ok');
    expect(body.database.version).toMatch(/^1[5-9]/);
    expect(body.database.migrations.latest).toBe(latestMigration);
    expect(Date.parse(body.database.time)).not.toBeNaN();
  });

  it('gives no details for a key that is not the secret key', async () => {
    const response = await call('health', { headers: { Authorization: `Bearer ${target.serviceKey}x` } });
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('is reachable through supabase-js functions.invoke', async () => {
    const { data, error } = await anonClient().functions.invoke('health', { method: 'GET' });
    expect(error).toBeNull();
    expect(data.status).toBe('ok');
  });

  it('answers an unknown function with 404 and a JSON error code', async () => {
    const response = await call('no-such-function');
    expect(response.status).toBe(404);
    expect((await response.json()).error.code).toBe('FUNCTION_NOT_FOUND');
  });

  it('refuses a method the function does not serve with 405 and a code', async () => {
    const response = await call('health', { method: 'DELETE' });
    expect(response.status).toBe(405);
    expect((await response.json()).error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers the CORS preflight a browser sends', async () => {
    const response = await call('health', { method: 'OPTIONS', headers: { Origin: 'http://localhost:3000' } });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
  });
});
