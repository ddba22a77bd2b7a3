import { inject } from 'vitest';

/** The stack the suites run against; tests never know whether it is local or hosted. */
export interface TargetStack {
  url: string;
  dbUrl: string;
  /** The publishable (anon) key. */
  anonKey: string;
  /** The secret (service_role) key. */
  serviceKey: string;
  /** The JWT secret, to forge tokens the API must refuse; absent when the external stack's is not given. */
  jwtSecret?: string;
  /** The mail catcher's Mailpit API (`supabase status`'s Mailpit/Inbucket URL), where Auth and the app send mail. */
  mailUrl: string;
}

/** What the billing suites need to stand in for Stripe: see tests/setup/global-setup.ts. */
export interface StripeTarget {
  /** The functions' STRIPE_WEBHOOK_SECRET, to sign test events. */
  webhookSecret: string;
  /** The functions' STRIPE_SECRET_KEY, which the fake Stripe API expects. */
  secretKey: string;
  /** The port the functions' STRIPE_API_BASE points at, for the fake Stripe API. */
  fakeApiPort: number;
}

/** The fake mail provider (Resend's API) behind the stack's mail-send: see tests/setup/fake-resend.ts. */
export interface MailProviderTarget {
  /** Where to script its failures (`POST /_fail`); null when the target's mail-send uses no fake. */
  url: string | null;
  /**
   * The secret the target's mail-events function verifies the provider's webhooks with
   * (RESEND_WEBHOOK_SECRET), so tests can sign them as Resend does; null when unknown.
   */
  webhookSecret: string | null;
}

/** The fake OpenAI API behind the stack's ai-categorize: see tests/setup/fake-openai.ts. */
export interface LlmProviderTarget {
  /** The port its OPENAI_BASE_URL points at; null when the target's functions use no fake. */
  fakeApiPort: number | null;
  /** Its OPENAI_API_KEY, which the fake expects. */
  apiKey: string | null;
}

/** The fake DNS server the target's functions resolve receiver names with: see tests/setup/fake-dns.ts. */
export interface DnsTarget {
  /** Where to set its records (`PUT /records/<name>`); null when the target's functions use no fake. */
  controlUrl: string | null;
}

export const target: TargetStack = inject('target');
export const mailProviderTarget: MailProviderTarget = inject('mailProvider');
export const stripeTarget: StripeTarget = inject('stripe');
export const llmProviderTarget: LlmProviderTarget = inject('llmProvider');
export const dnsTarget: DnsTarget = inject('dns');
