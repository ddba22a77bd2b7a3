import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, type Stack, startStack } from '@westwallet/devstack';
import { generateTypes } from '@westwallet/devstack/typegen';
import postgres from 'postgres';
import type { TestProject } from 'vitest/node';
import type { DnsTarget, LlmProviderTarget, MailProviderTarget, StripeTarget, TargetStack } from '../helpers/target.ts';
import { type LintReport, lintDatabase } from '../platform/splinter/lint-database.ts';
import { type FakeDns, startFakeDns } from './fake-dns.ts';
import { type FakeResend, startFakeResend } from './fake-resend.ts';

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
  let stripe: StripeTarget;
  let resend: FakeResend | undefined;
  let fakeDns: FakeDns | undefined;
  let llm: LlmProviderTarget = { fakeApiPort: null, apiKey: null };
  // The provider's webhook secret (Standard Webhooks, as Resend's Svix signs) for mail-events.
  let resendWebhookSecret = process.env.RESEND_WEBHOOK_SECRET ?? null;
  if (external) {
    target = external;
    stripe = externalStripe();
    // That stack's ai-categorize must point OPENAI_BASE_URL at 127.0.0.1:OPENAI_FAKE_PORT/v1.
    if (process.env.OPENAI_FAKE_PORT) {
      llm = { fakeApiPort: Number(process.env.OPENAI_FAKE_PORT), apiKey: process.env.OPENAI_API_KEY ?? null };
    }
    // A fake Resend for that stack's mail-send (its RESEND_API_BASE and RESEND_API_KEY), relaying
    // to its catcher's SMTP port, when the environment names them.
    if (process.env.RESEND_FAKE_PORT) {
      resend = await startFakeResend(
        { host: '127.0.0.1', port: Number(process.env.MAILPIT_SMTP_PORT ?? 54325) },
        { port: Number(process.env.RESEND_FAKE_PORT), apiKey: process.env.RESEND_API_KEY },
      );
    }
    // A fake DNS server on the port that stack's WEBHOOK_DNS_SERVER names, when the environment says.
    if (process.env.WEBHOOK_DNS_FAKE_PORT)
      fakeDns = await startFakeDns({ port: Number(process.env.WEBHOOK_DNS_FAKE_PORT) });
  } else {
    // The functions talk to a fake Stripe API the billing suites start on this port.
    stripe = {
      webhookSecret: `whsec_${randomBytes(24).toString('hex')}`,
      secretKey: `sk_test_${randomBytes(24).toString('hex')}`,
      fakeApiPort: await freePort(),
    };
    // ai-categorize's LLM provider is a fake OpenAI API the categorize suites start on this port.
    llm = { fakeApiPort: await freePort(), apiKey: `sk-test-${randomBytes(16).toString('hex')}` };
    resendWebhookSecret = `whsec_${randomBytes(24).toString('base64')}`;
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'westwallet-test-'));
    // Password hashes of cost 4 instead of GoTrue's 10 (lite's LITE_AUTH_BCRYPT_COST, read per
    // hash): the suites sign up hundreds of users, and bcryptjs took about half the run's time on
    // the stack's thread. A hash verifies at the cost it was made with; no answer changes.
    process.env.LITE_AUTH_BCRYPT_COST ??= '4';
    const started = Date.now();
    // mail-send's provider is a fake Resend, which delivers to the stack's catcher.
    const mailPorts = { http: await freePort(), smtp: await freePort() };
    resend = await startFakeResend({ host: '127.0.0.1', port: mailPorts.smtp });
    // webhooks-send and the receiver URL check resolve names with a fake DNS server.
    fakeDns = await startFakeDns();
    stack = await startStack({
      kind: 'test',
      stateDir,
      apiPort: await freePort(),
      dbPort: await freePort(),
      mailPorts,
      databaseUrl: process.env.DATABASE_URL || undefined,
      functionsEnv: {
        RESEND_API_KEY: resend.apiKey,
        RESEND_API_BASE: resend.url,
        RESEND_WEBHOOK_SECRET: resendWebhookSecret,
        STRIPE_SECRET_KEY: stripe.secretKey,
        STRIPE_WEBHOOK_SECRET: stripe.webhookSecret,
        STRIPE_API_BASE: `http://127.0.0.1:${stripe.fakeApiPort}`,
        APP_URL: 'http://127.0.0.1:3000',
        OPENAI_API_KEY: llm.apiKey as string,
        OPENAI_MODEL: 'fake-categorizer',
        OPENAI_BASE_URL: `http://127.0.0.1:${llm.fakeApiPort}/v1`,
        OPENAI_TIMEOUT_MS: '1500',
        OPENAI_MAX_RETRIES: '2',
        WEBHOOK_DNS_SERVER: `127.0.0.1:${fakeDns.port}`,
      },
      quiet: true,
    });
    console.log(`test stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${stack.apiUrl}`);
    target = {
      url: stack.apiUrl,
      dbUrl: stack.dbUrl,
      anonKey: stack.keys.publishableKey,
      serviceKey: stack.keys.secretKey,
      jwtSecret: stack.keys.jwtSecret,
      mailUrl: stack.mailUrl,
    };
  }
  project.provide('target', target);
  project.provide('stripe', stripe);
  project.provide('mailProvider', {
    url: resend?.url ?? null,
    webhookSecret: resendWebhookSecret,
  } satisfies MailProviderTarget);
  project.provide('llmProvider', llm);
  project.provide('dns', { controlUrl: fakeDns?.controlUrl ?? null } satisfies DnsTarget);
  // Types from the database before any suite changes it: what the migrations alone produce.
  project.provide('generatedTypes', await generateTypes(target.dbUrl));
  // Likewise what the Data API exposes, for the tenant-isolation matrix: suites create probe
  // objects in public while they run, some of them open on purpose.
  project.provide('exposedObjects', await exposedObjects(target.dbUrl));
  // And what Supabase's linter says of it, for the same reason.
  project.provide('splinter', await lintDatabase(target.dbUrl));

  return async () => {
    await stack?.stop();
    await resend?.close();
    await fakeDns?.close();
    if (stateDir) fs.rmSync(stateDir, { recursive: true, force: true });
  };
}

/** An object of schema `public` (exposed through the Data API) that a migration created. */
export interface ExposedObject {
  oid: number;
  kind: 'table' | 'partitioned table' | 'view' | 'materialized view' | 'function';
  /** `public.tags`, or for a function its signature: `public.list_members(uuid)`. */
  label: string;
  name: string;
}

/** Relations and functions in public, leaving out those that belong to extensions. */
async function exposedObjects(dbUrl: string): Promise<ExposedObject[]> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    return await sql.begin(async (sql) => {
      // An empty search_path makes regclass and regprocedure print schema-qualified names.
      await sql`set local search_path = ''`;
      return sql<ExposedObject[]>`
        select c.oid::int as oid, c.relname as name, c.oid::regclass::text as label,
               case c.relkind when 'r' then 'table' when 'p' then 'partitioned table' when 'v' then 'view'
                              else 'materialized view' end as kind
        from pg_catalog.pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p', 'v', 'm')
          and not exists (select from pg_catalog.pg_depend d
                          where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
        union all
        select p.oid::int, p.proname, p.oid::regprocedure::text, 'function'
        from pg_catalog.pg_proc p
        where p.pronamespace = 'public'::regnamespace
          and not exists (select from pg_catalog.pg_depend d
                          where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
        order by kind, label`;
    });
  } finally {
    await sql.end();
  }
}

function externalTarget(): TargetStack | undefined {
  const { SUPABASE_URL, SUPABASE_DB_URL } = process.env;
  if (!SUPABASE_URL) return undefined;
  const anonKey = process.env.SUPABASE_ANON_KEY ?? process.env.SUPABASE_PUBLISHABLE_KEY;
  const serviceKey = process.env.SUPABASE_SERVICE_ROLE_KEY ?? process.env.SUPABASE_SECRET_KEY;
  const mailUrl = process.env.MAILPIT_URL ?? process.env.INBUCKET_URL ?? process.env.SUPABASE_INBUCKET_URL;
  if (!SUPABASE_DB_URL || !anonKey || !serviceKey || !mailUrl) {
    throw new Error(
      'SUPABASE_URL is set, so the tests target that stack: set SUPABASE_DB_URL, SUPABASE_ANON_KEY, ' +
        'SUPABASE_SERVICE_ROLE_KEY and MAILPIT_URL too (`supabase status -o env` or `npm run status` print them).',
    );
  }
  return {
    url: SUPABASE_URL,
    dbUrl: SUPABASE_DB_URL,
    anonKey,
    serviceKey,
    mailUrl,
    jwtSecret: process.env.SUPABASE_JWT_SECRET,
  };
}

/**
 * Against another stack, its functions' Stripe secrets: the webhook secret (to sign test events)
 * and the port of the fake Stripe API its STRIPE_API_BASE points at (0: none).
 */
function externalStripe(): StripeTarget {
  return {
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET ?? '',
    secretKey: process.env.STRIPE_SECRET_KEY ?? '',
    fakeApiPort: Number(process.env.STRIPE_FAKE_API_PORT ?? 0),
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    target: TargetStack;
    stripe: StripeTarget;
    mailProvider: MailProviderTarget;
    llmProvider: LlmProviderTarget;
    dns: DnsTarget;
    generatedTypes: string;
    exposedObjects: ExposedObject[];
    splinter: LintReport;
  }
}
