import fs from 'node:fs';
import type { EmailDriver } from '@supabase/lite';
import type postgres from 'postgres';
import { renderGoTemplate } from './go-template.ts';

/**
 * Auth's emails rendered as GoTrue renders them, replacing lite's mailer (App's `_mailer`):
 * - templates and subjects are Go templates over GoTrue's variables, `.Data` being the user's
 *   metadata, so one template speaks the user's language (`{{ if eq .Data.locale "sv" }}`);
 *   lite replaces `{{ .Name }}` only and passes no metadata;
 * - `{{ .ConfirmationURL }}` points at Auth's verify endpoint on the API URL (GoTrue's
 *   API_EXTERNAL_URL), where lite builds it on `site_url`, the app, which has no such endpoint.
 */

/** The template names of `[auth.email.template.<name>]`, as GoTrue and the CLI name them. */
export type AuthEmailTemplate =
  | 'confirmation'
  | 'recovery'
  | 'magic_link'
  | 'email_change'
  | 'invite'
  | 'reauthentication';

export interface AuthTemplateConfig {
  subject?: string;
  /** The template file, already resolved to an absolute path. */
  content_path?: string;
}

export interface AuthMailerOptions {
  driver: EmailDriver;
  /** Where Auth is reached from a browser: links go to `${apiUrl}/auth/v1/verify`. */
  apiUrl: string;
  siteUrl: string;
  templates: Partial<Record<AuthEmailTemplate, AuthTemplateConfig>>;
  /** To read the user's metadata (`.Data`). */
  sql: postgres.Sql;
}

export interface MailMeta {
  userId?: string;
  redirectTo?: string;
  currentEmail?: string;
  newEmail?: string;
}

/** GoTrue's default subjects, used where config.toml sets none. */
const defaultSubjects: Record<AuthEmailTemplate, string> = {
  confirmation: 'Confirm Your Email',
  recovery: 'Reset Your Password',
  magic_link: 'Your Magic Link',
  email_change: 'Confirm Email Change',
  invite: 'You have been invited',
  reauthentication: 'Confirm reauthentication',
};

/** GoTrue's default bodies, in short, for a template config.toml does not set. */
const defaultBodies: Record<AuthEmailTemplate, string> = {
  confirmation: '<h2>Confirm your signup</h2><p><a href="{{ .ConfirmationURL }}">Confirm your mail</a></p>',
  recovery: '<h2>Reset Password</h2><p><a href="{{ .ConfirmationURL }}">Reset Password</a></p>',
  magic_link: '<h2>Magic Link</h2><p><a href="{{ .ConfirmationURL }}">Log In</a></p>',
  email_change:
    '<h2>Confirm Change of Email</h2><p><a href="{{ .ConfirmationURL }}">Change Email</a> from {{ .Email }} to {{ .NewEmail }}</p>',
  invite: '<h2>You have been invited</h2><p><a href="{{ .ConfirmationURL }}">Accept the invite</a></p>',
  reauthentication: '<h2>Confirm reauthentication</h2><p>Enter the code: {{ .Token }}</p>',
};

/** The `type` of Auth's verify endpoint for each template. */
const verifyTypes: Record<AuthEmailTemplate, string> = {
  confirmation: 'signup',
  recovery: 'recovery',
  magic_link: 'magiclink',
  email_change: 'email_change',
  invite: 'invite',
  reauthentication: 'reauthentication',
};

export class AuthMailer {
  constructor(private readonly options: AuthMailerOptions) {}

  sendConfirmation(email: string, tokenHash: string, otp: string, meta?: MailMeta) {
    return this.send('confirmation', email, tokenHash, otp, meta);
  }
  sendRecovery(email: string, tokenHash: string, otp: string, meta?: MailMeta) {
    return this.send('recovery', email, tokenHash, otp, meta);
  }
  sendMagicLink(email: string, tokenHash: string, otp: string, meta?: MailMeta) {
    return this.send('magic_link', email, tokenHash, otp, meta);
  }
  sendEmailChange(email: string, tokenHash: string, otp: string, meta?: MailMeta) {
    return this.send('email_change', email, tokenHash, otp, meta);
  }
  /** lite has no invite flow: the stack's Auth front calls this for the admin API's invitations. */
  sendInvite(email: string, tokenHash: string, meta?: MailMeta) {
    return this.send('invite', email, tokenHash, '', meta);
  }
  sendReauthentication(email: string, otp: string, meta?: MailMeta) {
    return this.send('reauthentication', email, '', otp, meta);
  }

  /** Renders one email as GoTrue would, without sending it. */
  async render(template: AuthEmailTemplate, email: string, tokenHash: string, otp: string, meta: MailMeta = {}) {
    const { apiUrl, siteUrl, templates } = this.options;
    const redirectTo = meta.redirectTo ?? siteUrl;
    const verify = new URL('/auth/v1/verify', apiUrl);
    verify.searchParams.set('token', tokenHash);
    verify.searchParams.set('type', verifyTypes[template]);
    verify.searchParams.set('redirect_to', redirectTo);
    const context = {
      ConfirmationURL: template === 'reauthentication' ? '' : verify.toString(),
      Token: otp,
      TokenHash: tokenHash,
      SiteURL: siteUrl,
      RedirectTo: redirectTo,
      Email: meta.currentEmail ?? email,
      NewEmail: meta.newEmail ?? '',
      Data: await this.metadata(meta.userId),
    };
    const config = templates[template] ?? {};
    const body = config.content_path ? fs.readFileSync(config.content_path, 'utf8') : defaultBodies[template];
    return {
      to: email,
      subject: renderGoTemplate(config.subject ?? defaultSubjects[template], context, { html: false }).trim(),
      html: renderGoTemplate(body, context, { html: true }),
    };
  }

  private async send(template: AuthEmailTemplate, email: string, tokenHash: string, otp: string, meta?: MailMeta) {
    const message = await this.render(template, email, tokenHash, otp, meta);
    await this.options.driver.send(message);
  }

  private async metadata(userId: string | undefined): Promise<Record<string, unknown>> {
    if (!userId) return {};
    const [row] = await this.options.sql<{ data: unknown }[]>`
      select raw_user_meta_data as data from auth.users where id = ${userId}`;
    const data = typeof row?.data === 'string' ? JSON.parse(row.data) : row?.data;
    return data && typeof data === 'object' ? (data as Record<string, unknown>) : {};
  }
}
