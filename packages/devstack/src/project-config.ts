import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import type { AuthEmailTemplate, AuthTemplateConfig } from './lite/auth-mailer.ts';
import { paths } from './paths.ts';

/**
 * The parts of supabase/config.toml (the Supabase CLI's own file) that the Data API, Auth and
 * Storage honour locally, so `npm start` and `supabase start` enforce the same settings.
 */
export interface ProjectConfig {
  api: { schemas: string[]; max_rows: number };
  auth: {
    site_url?: string;
    additional_redirect_urls?: string[];
    jwt_expiry?: number;
    enable_signup?: boolean;
    enable_refresh_token_rotation?: boolean;
    refresh_token_reuse_interval?: number;
    minimum_password_length?: number;
    password_requirements?: string;
    email?: {
      enable_confirmations?: boolean;
      double_confirm_changes?: boolean;
      otp_length?: number;
      otp_expiry?: number;
    };
  };
  /** `[auth.rate_limit]`, enforced by the stack's Auth front (lite has no such setting). */
  authRateLimit: {
    email_sent?: number;
    sign_in_sign_ups?: number;
    token_refresh?: number;
    token_verifications?: number;
  };
  /** `[auth.email.template.<name>]`, each `content_path` resolved against the project's root. */
  authTemplates: Partial<Record<AuthEmailTemplate, AuthTemplateConfig>>;
  /** `[inbucket]`: the catcher's web port and SMTP port (the CLI's defaults when unset). */
  inbucket: { enabled: boolean; port: number; smtpPort: number; adminEmail: string; senderName: string };
  storage: { file_size_limit?: string };
  functions: Record<string, { enabled?: boolean }>;
}

type Table = Record<string, unknown>;

export function readProjectConfig(file = paths.configToml): ProjectConfig {
  const toml = parse(fs.readFileSync(file, 'utf8')) as Table;
  const api = (toml.api ?? {}) as Table;
  const auth = (toml.auth ?? {}) as Table;
  const email = (auth.email ?? {}) as Table;
  const storage = (toml.storage ?? {}) as Table;
  const inbucket = (toml.inbucket ?? {}) as Table;
  // The CLI resolves content_path against the folder it runs in, the one holding supabase/.
  const root = path.dirname(path.dirname(file));
  const templates = (email.template ?? {}) as Record<string, Table>;
  return {
    api: {
      schemas: (api.schemas as string[] | undefined) ?? ['public'],
      max_rows: (api.max_rows as number | undefined) ?? 1000,
    },
    auth: {
      ...pick(auth, [
        'site_url',
        'additional_redirect_urls',
        'jwt_expiry',
        'enable_signup',
        'enable_refresh_token_rotation',
        'refresh_token_reuse_interval',
        'minimum_password_length',
        'password_requirements',
      ]),
      email: pick(email, ['enable_confirmations', 'double_confirm_changes', 'otp_length', 'otp_expiry']),
    },
    authTemplates: Object.fromEntries(
      Object.entries(templates).map(([name, template]) => [
        name,
        {
          subject: template.subject as string | undefined,
          content_path: template.content_path ? path.resolve(root, template.content_path as string) : undefined,
        },
      ]),
    ),
    inbucket: {
      enabled: inbucket.enabled !== false,
      port: (inbucket.port as number | undefined) ?? 54324,
      smtpPort: (inbucket.smtp_port as number | undefined) ?? 54325,
      adminEmail: (inbucket.admin_email as string | undefined) ?? 'admin@email.com',
      senderName: (inbucket.sender_name as string | undefined) ?? 'Admin',
    },
    authRateLimit: pick((auth.rate_limit ?? {}) as Table, [
      'email_sent',
      'sign_in_sign_ups',
      'token_refresh',
      'token_verifications',
    ]),
    storage: pick(storage, ['file_size_limit']),
    functions: (toml.functions ?? {}) as ProjectConfig['functions'],
  };
}

function pick(table: Table, keys: string[]): Table {
  return Object.fromEntries(keys.filter((key) => table[key] !== undefined).map((key) => [key, table[key]]));
}
