import { randomUUID } from 'node:crypto';
import type { AddressObject, ParsedMail } from 'mailparser';

/**
 * The messages the catcher received, newest first, in the shapes of Mailpit's API (the CLI's
 * catcher since 1.x), so tests and people read them as they would from `supabase start`.
 */

export interface Address {
  Name: string;
  Address: string;
}

export interface Message {
  ID: string;
  MessageID: string;
  From: Address | null;
  To: Address[];
  Cc: Address[];
  Bcc: Address[];
  ReplyTo: Address[];
  Subject: string;
  Date: string;
  Created: string;
  Size: number;
  Text: string;
  HTML: string;
  Headers: Record<string, string[]>;
}

export type Summary = Omit<Message, 'Text' | 'HTML' | 'Headers' | 'Date'> & {
  Read: boolean;
  Tags: string[];
  Attachments: number;
  Snippet: string;
};

/** Past this many messages the oldest are dropped, as Mailpit's `--max` does (its default 500 is too few for a test run). */
const MAX_MESSAGES = 20_000;

export class Mailbox {
  private messages: Message[] = [];

  add(parsed: ParsedMail, size: number, envelopeTo: string[]): Message {
    const to = addresses(parsed.to);
    const message: Message = {
      ID: randomUUID(),
      MessageID: (parsed.messageId ?? '').replace(/^<|>$/g, ''),
      From: addresses(parsed.from)[0] ?? null,
      // Bcc recipients are only in the envelope.
      To: to.length > 0 ? to : envelopeTo.map((address) => ({ Name: '', Address: address })),
      Cc: addresses(parsed.cc),
      Bcc: addresses(parsed.bcc),
      ReplyTo: addresses(parsed.replyTo),
      Subject: parsed.subject ?? '',
      Date: (parsed.date ?? new Date()).toISOString(),
      Created: new Date().toISOString(),
      Size: size,
      Text: parsed.text ?? '',
      HTML: typeof parsed.html === 'string' ? parsed.html : '',
      Headers: headers(parsed),
    };
    this.messages.unshift(message);
    this.messages.length = Math.min(this.messages.length, MAX_MESSAGES);
    return message;
  }

  /** `latest` is the newest message, as in Mailpit. */
  get(id: string): Message | undefined {
    return id === 'latest' ? this.messages[0] : this.messages.find((message) => message.ID === id);
  }

  list(query = ''): Message[] {
    const match = matcher(query);
    return this.messages.filter(match);
  }

  /** Deletes the messages with these IDs, or all of them without any. */
  delete(ids?: string[]): void {
    if (!ids || ids.length === 0) {
      this.messages = [];
      return;
    }
    const doomed = new Set(ids);
    this.messages = this.messages.filter((message) => !doomed.has(message.ID));
  }
}

export function summary(message: Message): Summary {
  const { Text, HTML: _html, Headers: _headers, Date: _date, ...rest } = message;
  return { ...rest, Read: false, Tags: [], Attachments: 0, Snippet: Text.replace(/\s+/g, ' ').trim().slice(0, 250) };
}

/**
 * The part of Mailpit's search syntax tests use: `to:`, `from:`, `subject:` (quoted or not) and
 * plain words, all of which must match, case-insensitively.
 */
function matcher(query: string): (message: Message) => boolean {
  const terms = [...query.matchAll(/(?:(to|from|subject):)?(?:"([^"]*)"|(\S+))/gi)].map((term) => ({
    field: term[1]?.toLowerCase(),
    value: (term[2] ?? term[3] ?? '').toLowerCase(),
  }));
  return (message) =>
    terms.every(({ field, value }) => {
      const to = [...message.To, ...message.Cc, ...message.Bcc].map((a) => a.Address.toLowerCase());
      if (field === 'to') return to.some((address) => address.includes(value));
      if (field === 'from') return (message.From?.Address.toLowerCase() ?? '').includes(value);
      if (field === 'subject') return message.Subject.toLowerCase().includes(value);
      return [message.Subject, message.Text, ...to].some((text) => text.toLowerCase().includes(value));
    });
}

function addresses(field: AddressObject | AddressObject[] | undefined): Address[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((object) =>
    object.value.map((entry) => ({ Name: entry.name ?? '', Address: entry.address ?? '' })),
  );
}

function headers(parsed: ParsedMail): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const line of parsed.headerLines) {
    const separator = line.line.indexOf(':');
    const name = line.line.slice(0, separator).trim();
    const value = line.line
      .slice(separator + 1)
      .replace(/\r?\n\s+/g, ' ')
      .trim();
    result[name] = [...(result[name] ?? []), value];
  }
  return result;
}
