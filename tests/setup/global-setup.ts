import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, type Stack, startStack } from '@westwallet/devstack';
import { generateTypes } from '@westwallet/devstack/typegen';
import type { TestProject } from 'vitest/node';
import type { TargetStack } from '../helpers/target.ts';

/**
 * With SUPABASE_URL, SUPABASE_DB_URL and the keys set, the suites run against that stack (a
 * `supabase start` stack, a running `npm start`, or a hosted project). Otherwise this starts an
 * isolated stack on free ports with a throwaway database (on DATABASE_URL's server if set).
 */
export default async function setup(project: TestProject) {
  const external = externalTarget();
  let stack: Stack | undefined;
  let stateDir: string | undefined;
  let target: TargetStack;
  if (external) {
    target = external;
  } else {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'westwallet-test-'));
    const started = Date.now();
    stack = await startStack({
      kind: 'test',
      stateDir,
      apiPort: await freePort(),
      dbPort: await freePort(),
      databaseUrl: process.env.DATABASE_URL || undefined,
      quiet: true,
    });
    console.log(`test stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${stack.apiUrl}`);
    target = {
      url: stack.apiUrl,
      dbUrl: stack.dbUrl,
      anonKey: stack.keys.publishableKey,
      serviceKey: stack.keys.secretKey,
    };
  }
  project.provide('target', target);
  // Types from the database before any suite changes it: what the migrations alone produce.
  project.provide('generatedTypes', await generateTypes(target.dbUrl));

  return async () => {
    await stack?.stop();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  };
}

function externalTarget(): TargetStack | undefined {
  const { SUPABASE_URL, SUPABASE_DB_URL } = process.env;
  if (!SUPABASE_URL) return undefined;
  const anonKey = process.env.SUPABASE_ANON_KEY ?? process.env.SUPABASE_PUBLISHABLE_KEY;
  const serviceKey = process.env.SUPABASE_SERVICE_ROLE_KEY ?? process.env.SUPABASE_SECRET_KEY;
  if (!SUPABASE_DB_URL || !anonKey || !serviceKey) {
    throw new Error(
      'SUPABASE_URL is set, so the tests target that stack: set SUPABASE_DB_URL, SUPABASE_ANON_KEY and ' +
        'SUPABASE_SERVICE_ROLE_KEY too (`supabase status -o env` or `npm run status` print them).',
    );
  }
  return { url: SUPABASE_URL, dbUrl: SUPABASE_DB_URL, anonKey, serviceKey };
}

declare module 'vitest' {
  export interface ProvidedContext {
    target: TargetStack;
    generatedTypes: string;
  }
}
