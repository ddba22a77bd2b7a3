// @ts-types="npm:@types/nodemailer@^7.0.0"
import nodemailer from 'nodemailer';

/** One mail as a transport sends it. */
export interface OutgoingMail {
  from: string;
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Stable across attempts: the provider's Idempotency-Key, the SMTP Message-ID. */
  idempotencyKey: string;
  /** Extra headers (List-Unsubscribe). */
  headers?: Record<string, string>;
}

export interface MailTransport {
  name: 'resend' | 'smtp';
  /** Sends, answering the provider's id for the message; throws on failure. */
  send(mail: OutgoingMail): Promise<string>;
}

/** A failure no retry will mend (the provider refused the address or the request): the mail is dead at once. */
export class PermanentMailError extends Error {}

const TIMEOUT_MS = 10_000;

/**
 * The transport the environment configures: Resend's HTTP API when RESEND_API_KEY is set (hosted,
 * where outbound SMTP ports are blocked; RESEND_API_BASE points tests at a fake), else SMTP to
 * MAIL_SMTP_HOST:MAIL_SMTP_PORT (the local stack's catcher), else none.
 */
export function transportFromEnv(): MailTransport | null {
  const resendKey = Deno.env.get('RESEND_API_KEY');
  if (resendKey) return resend(resendKey, Deno.env.get('RESEND_API_BASE') ?? 'https://api.resend.com');
  const host = Deno.env.get('MAIL_SMTP_HOST');
  const port = Number(Deno.env.get('MAIL_SMTP_PORT') ?? 587);
  if (host) return smtp(host, port, Deno.env.get('MAIL_SMTP_USER'), Deno.env.get('MAIL_SMTP_PASS'));
  return null;
}

/** https://resend.com/docs/api-reference/emails/send-email; same key and body within 24 h: sent once. */
function resend(apiKey: string, base: string): MailTransport {
  return {
    name: 'resend',
    async send(mail) {
      const response = await fetch(`${base.replace(/\/+$/, '')}/emails`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${apiKey}`,
          'content-type': 'application/json',
          'idempotency-key': mail.idempotencyKey,
        },
        body: JSON.stringify({
          from: mail.from,
          to: [mail.to],
          subject: mail.subject,
          html: mail.html,
          text: mail.text,
          headers: mail.headers,
        }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const body = await response.json().catch(() => ({})) as { id?: string; message?: string; name?: string };
      if (response.ok && body.id) return body.id;
      const reason = `Resend answered ${response.status}${body.name ? ` ${body.name}` : ''}: ${body.message ?? ''}`;
      // 408, 409 (the same key still in flight), 429 and 5xx pass; other refusals will not.
      const transient = response.ok || [408, 409, 429].includes(response.status) || response.status >= 500;
      throw transient ? new Error(reason) : new PermanentMailError(reason);
    },
  };
}

function smtp(host: string, port: number, user?: string, pass?: string): MailTransport {
  const transporter = nodemailer.createTransport({
    host,
    port,
    secure: port === 465,
    auth: user && pass ? { user, pass } : undefined,
    connectionTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
  });
  return {
    name: 'smtp',
    async send(mail) {
      const messageId = `<${mail.idempotencyKey}@westwallet.app>`;
      const info = await transporter.sendMail({
        from: mail.from,
        to: mail.to,
        subject: mail.subject,
        html: mail.html,
        text: mail.text,
        messageId,
        headers: mail.headers,
      });
      if (info.rejected.length > 0) throw new PermanentMailError(`the SMTP server refused ${info.rejected.join(', ')}`);
      return info.messageId ?? messageId;
    },
  };
}
