import { createLog } from '@westwallet/devstack/log';
import { type MailCatcher, startMailCatcher } from '@westwallet/devstack/mail';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The local stack's mail catcher on its own (the stack's is shared by every suite, so deleting
 * all its mail here would disturb them): SMTP in, Mailpit's API out.
 */

describe('the mail catcher', () => {
  let catcher: MailCatcher;
  const api = (path: string, init?: RequestInit) => fetch(`${catcher.url}${path}`, init);

  beforeAll(async () => {
    catcher = await startMailCatcher({ httpPort: 0, smtpPort: 0, log: createLog('mail', { quiet: true }) });
    // Like Auth's client: it logs in, which the catcher accepts whatever the credentials.
    const smtp = nodemailer.createTransport({
      host: catcher.smtpHost,
      port: catcher.smtpPort,
      secure: false,
      auth: { user: 'any', pass: 'thing' },
    });
    for (const n of [1, 2, 3]) {
      await smtp.sendMail({
        from: '"Sender" <sender@example.com>',
        to: n === 3 ? 'other@example.com' : 'reader@example.com',
        subject: `Message ${n} <b>`,
        text: `Body ${n}: https://example.com/link/${n}`,
        html: `<p>Body ${n}</p>`,
        messageId: `<message-${n}@example.com>`,
        headers: { 'X-Test': `value ${n}` },
      });
    }
    smtp.close();
  });
  afterAll(() => catcher.close());

  it("lists messages newest first, paged as Mailpit's API pages them", async () => {
    const first = await (await api('/api/v1/messages?limit=2')).json();
    expect(first).toMatchObject({ total: 3, count: 2, start: 0, messages_count: 3 });
    expect(first.messages.map((m: { Subject: string }) => m.Subject)).toEqual(['Message 3 <b>', 'Message 2 <b>']);
    expect(first.messages[0]).toMatchObject({
      MessageID: 'message-3@example.com',
      From: { Name: 'Sender', Address: 'sender@example.com' },
      To: [{ Name: '', Address: 'other@example.com' }],
      Snippet: 'Body 3: https://example.com/link/3',
    });
    const rest = await (await api('/api/v1/messages?start=2&limit=2')).json();
    expect(rest.messages.map((m: { Subject: string }) => m.Subject)).toEqual(['Message 1 <b>']);
  });

  it('finds messages by recipient and subject, and reads one with its text, HTML and headers', async () => {
    const found = await (await api(`/api/v1/search?query=${encodeURIComponent('to:reader@example.com')}`)).json();
    expect(found.total).toBe(2);
    const bySubject = await (await api(`/api/v1/search?query=${encodeURIComponent('subject:"message 1"')}`)).json();
    expect(bySubject.messages).toHaveLength(1);

    const message = await (await api(`/api/v1/message/${bySubject.messages[0].ID}`)).json();
    expect(message).toMatchObject({
      Subject: 'Message 1 <b>',
      Text: 'Body 1: https://example.com/link/1',
      HTML: '<p>Body 1</p>',
    });
    const headers = await (await api(`/api/v1/message/${message.ID}/headers`)).json();
    expect(headers['X-Test']).toEqual(['value 1']);
    const latest = await (await api('/api/v1/message/latest')).json();
    expect(latest.Subject).toBe('Message 3 <b>');
    expect((await api('/api/v1/message/no-such-id')).status).toBe(404);
  });

  it('shows a page listing the messages, escaped', async () => {
    const page = await (await api('/')).text();
    expect(page).toContain('Message 2 &#60;b&#62;');
    expect(page).not.toContain('Message 2 <b>');
    expect(page).toContain('<a href="https://example.com/link/2"');
  });

  it('deletes messages by ID, then all of them, and refuses a body that is not JSON', async () => {
    const { messages } = await (await api('/api/v1/messages')).json();
    expect((await api('/api/v1/messages', { method: 'DELETE', body: '{"IDs": 3}' })).status).toBe(400);
    expect((await api('/api/v1/messages', { method: 'DELETE', body: 'not json' })).status).toBe(400);
    const one = await api('/api/v1/messages', { method: 'DELETE', body: JSON.stringify({ IDs: [messages[0].ID] }) });
    expect(one.status).toBe(200);
    expect((await (await api('/api/v1/messages')).json()).total).toBe(2);
    expect((await api('/api/v1/messages', { method: 'DELETE' })).status).toBe(200);
    expect((await (await api('/api/v1/messages')).json()).total).toBe(0);
  });
});
