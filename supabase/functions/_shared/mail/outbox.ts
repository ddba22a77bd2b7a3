import type postgres from 'postgres';
import type { Outbound } from '../outbound/policy.ts';
import { renderMail } from './render.ts';
import { type MailTransport, PermanentMailError } from './transport.ts';

/**
 * Reading the mail queue and settling each outbox row: the one place that knows pgmq's `mail`
 * queue and private.mail_outbox's steps (claim_mail, mail_sent, mail_failed in
 * supabase/schemas/11_mail). A message carries only an outbox id; the row says what to send and
 * whether it still needs sending, so a duplicate or late message sends nothing twice.
 */

const QUEUE = 'mail';
/** How long a read message stays invisible, and a claimed row locked, while one attempt runs. */
const LOCK_SECONDS = 60;
const BATCH = 10;

export interface DeliveryOptions {
  sql: postgres.Sql;
  transport: MailTransport;
  /** The outbound policy the provider call runs under (breaker `mail:<transport>`). */
  outbound: Outbound;
  from: string;
  /** The app's address, for links in mails (APP_URL). */
  appUrl: string;
  /** The notifications-unsubscribe function's address, for unsubscribe links and headers. */
  unsubscribeUrl: string;
  /** Stop reading new messages after this long, to stay within a function's time. */
  budgetMs?: number;
}

export interface DeliveryReport {
  sent: number;
  retrying: number;
  dead: number;
  skipped: number;
}

interface OutboxRow {
  id: string | null;
  template: string;
  locale: string;
  recipient: string;
  variables: Record<string, unknown>;
  idempotency_key: string;
  attempts: number;
}

export async function deliverDueMail(options: DeliveryOptions): Promise<DeliveryReport> {
  const { sql, budgetMs = 20_000 } = options;
  const report: DeliveryReport = { sent: 0, retrying: 0, dead: 0, skipped: 0 };
  const started = Date.now();
  while (Date.now() - started < budgetMs) {
    const messages = await sql<{ msg_id: string; message: { outbox_id?: string } }[]>`
      select msg_id::text, message from pgmq.read(${QUEUE}, ${LOCK_SECONDS}, ${BATCH})`;
    if (messages.length === 0) break;
    for (const message of messages) {
      report[await settle(options, message.msg_id, message.message.outbox_id)] += 1;
    }
  }
  return report;
}

async function settle(
  options: DeliveryOptions,
  msgId: string,
  outboxId: string | undefined,
): Promise<keyof DeliveryReport> {
  const { sql } = options;
  if (!outboxId) {
    await sql`select pgmq.archive(${QUEUE}, ${msgId}::bigint)`;
    return 'skipped';
  }
  const [row] = await sql<OutboxRow[]>`select * from private.claim_mail(${outboxId}::uuid, ${LOCK_SECONDS})`;
  if (!row?.id) {
    // Sent, dead or gone: the message is spent. Not due yet, or another worker has it: look again then.
    const [state] = await sql<{ status: string; wait: number }[]>`
      select status::text, ceil(greatest(0, extract(epoch from greatest(next_attempt_at, coalesce(locked_until, now())) - now())))::int + 1 as wait
      from private.mail_outbox where id = ${outboxId}::uuid`;
    if (state?.status === 'pending') await sql`select pgmq.set_vt(${QUEUE}, ${msgId}::bigint, ${state.wait})`;
    else await sql`select pgmq.delete(${QUEUE}, ${msgId}::bigint)`;
    return 'skipped';
  }
  try {
    const variables = variablesOf(row, options);
    const mail = renderMail(row.template, row.locale, variables);
    // A refused address says nothing of the provider's health: only other failures count.
    const providerId = await options.outbound.call(
      {
        key: `mail:${options.transport.name}`,
        timeoutMs: 15_000,
        isTransient: (error) => !(error instanceof PermanentMailError),
      },
      () =>
        options.transport.send({
          ...mail,
          from: options.from,
          to: row.recipient,
          idempotencyKey: row.idempotency_key,
          headers: variables.unsubscribe_url ? unsubscribeHeaders(variables.unsubscribe_url) : undefined,
        }),
    );
    await sql`select private.mail_sent(${row.id}::uuid, ${providerId})`;
    await sql`select pgmq.delete(${QUEUE}, ${msgId}::bigint)`;
    return 'sent';
  } catch (error) {
    const permanent = error instanceof PermanentMailError || !(error instanceof Error);
    const reason = error instanceof Error ? error.message : String(error);
    console.warn(`mail ${row.id} attempt ${row.attempts} failed: ${reason}`);
    const [{ delay }] = await sql<{ delay: number | null }[]>`
      select private.mail_failed(${row.id}::uuid, ${reason}, ${permanent ? 0 : 8}) as delay`;
    if (delay === null) {
      await sql`select pgmq.archive(${QUEUE}, ${msgId}::bigint)`;
      return 'dead';
    }
    await sql`select pgmq.set_vt(${QUEUE}, ${msgId}::bigint, ${delay})`;
    return 'retrying';
  }
}

/**
 * The template's variables as text, with the links built here: the app's, an invitation's, an
 * export's page, and the unsubscribe link of a notification (its token signed by the database).
 */
function variablesOf(row: OutboxRow, { appUrl, unsubscribeUrl }: DeliveryOptions): Record<string, string> {
  const variables = Object.fromEntries(Object.entries(row.variables).map(([key, value]) => [key, String(value ?? '')]));
  variables.app_url = new URL('/', appUrl).toString();
  variables.billing_url = new URL('/billing', appUrl).toString();
  if (variables.unsubscribe_token) {
    const link = new URL(unsubscribeUrl);
    link.searchParams.set('token', variables.unsubscribe_token);
    variables.unsubscribe_url = link.toString();
  }
  if (row.template === 'invitation') {
    const link = new URL('/invitations/accept', appUrl);
    link.searchParams.set('invitation', variables.invitation_id);
    link.searchParams.set('secret', variables.secret);
    variables.accept_url = link.toString();
    variables.expires_on = variables.expires_at.slice(0, 10);
  }
  if (row.template === 'export_ready') {
    // The app's page of the export, which signs the download for a signed-in member: a signed
    // URL in a mail would let anyone the mail reaches download the file.
    variables.download_url = new URL(`/exports/${encodeURIComponent(variables.job_id)}`, appUrl).toString();
    variables.expires_on = variables.expires_at.slice(0, 10);
  }
  if (row.template === 'webhook_disabled') {
    variables.settings_url = new URL('/settings/webhooks', appUrl).toString();
  }
  if (row.template === 'payment_receipt') {
    variables.amount = formatAmount(variables.amount_paid, variables.currency, row.locale);
  }
  return variables;
}

/**
 * An amount in the reader's number format (`149,00 kr`, `KWD 12.345`). The database gives it as
 * an exact decimal string with the currency's own decimals, which Intl formats without going
 * through a float.
 */
function formatAmount(decimal: string, currency: string, locale: string): string {
  const digits = decimal.split('.')[1]?.length ?? 0;
  const format = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
  return format.format(decimal as Intl.StringNumericLiteral);
}

/**
 * RFC 8058 one-click unsubscribe: mail clients (and Gmail's and Yahoo's bulk-sender rules) POST
 * `List-Unsubscribe=One-Click` to the link, which notifications-unsubscribe honours.
 */
function unsubscribeHeaders(url: string): Record<string, string> {
  return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}
