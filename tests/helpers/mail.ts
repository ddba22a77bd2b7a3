import { target } from './target.ts';

/**
 * The mail catcher, read through Mailpit's API as a person reads it in its page: the local
 * stack's catcher and `supabase start`'s Mailpit answer alike (target.mailUrl).
 */

export interface MailSummary {
  ID: string;
  MessageID: string;
  Subject: string;
  To: Array<{ Name: string; Address: string }>;
  Created: string;
}

export interface Mail extends MailSummary {
  Text: string;
  HTML: string;
  From: { Name: string; Address: string } | null;
}

export async function catcher(path: string, init?: RequestInit): Promise<Response> {
  return fetch(new URL(path, target.mailUrl), init);
}

/** The messages sent to `address`, newest first. */
export async function mailsTo(address: string): Promise<MailSummary[]> {
  const response = await catcher(`/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=200`);
  if (!response.ok) throw new Error(`the mail catcher answered ${response.status}`);
  const body = (await response.json()) as { messages: MailSummary[] };
  // Mailpit's to: matches parts of addresses too.
  return body.messages.filter((m) => m.To.some((to) => to.Address.toLowerCase() === address.toLowerCase()));
}

/**
 * Waits until `count` messages to `address` (matching `subject` if given) have arrived, then
 * reads the newest in full. Mail travels after commit (Auth's SMTP, the outbox's worker).
 */
export async function waitForMail(
  address: string,
  { count = 1, subject, timeoutMs = 15_000 }: { count?: number; subject?: RegExp; timeoutMs?: number } = {},
): Promise<Mail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await mailsTo(address)).filter((m) => !subject || subject.test(m.Subject));
    if (found.length >= count) return readMail(found[0].ID);
    if (Date.now() > deadline) {
      throw new Error(
        `no${count > 1 ? ` ${count}` : ''} mail to ${address} within ${timeoutMs} ms (found ${found.length})`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function readMail(id: string): Promise<Mail> {
  const response = await catcher(`/api/v1/message/${id}`);
  if (!response.ok) throw new Error(`reading mail ${id}: the catcher answered ${response.status}`);
  return (await response.json()) as Mail;
}

/** The links of a mail's HTML (attribute values decoded), in order. */
export function linksIn(mail: Pick<Mail, 'HTML'>): string[] {
  return [...mail.HTML.matchAll(/href="([^"]+)"/g)].map((m) =>
    m[1].replace(/&amp;/g, '&').replace(/&#34;/g, '"').replace(/&#39;/g, "'"),
  );
}

/** The first link of a mail that starts with `prefix`. */
export function linkIn(mail: Pick<Mail, 'HTML' | 'Subject'>, prefix: string): string {
  const link = linksIn(mail).find((href) => href.startsWith(prefix));
  if (!link) throw new Error(`no link to ${prefix} in "${mail.Subject}": ${linksIn(mail).join(', ')}`);
  return link;
}
