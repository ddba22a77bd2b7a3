import type { Message } from './mailbox.ts';

/**
 * The catcher's page: the newest messages first, each opening to its text and HTML, with the
 * links of the message clickable (a sign-up's confirmation link works from here).
 */
export function inboxPage(messages: Message[]): string {
  const rows = messages
    .slice(0, 200)
    .map(
      (message) => `<details><summary><b>${escapeHtml(message.Subject || '(no subject)')}</b>
  &middot; to ${escapeHtml(message.To.map((a) => a.Address).join(', '))} &middot; ${escapeHtml(message.Created)}</summary>
  <p><a href="/api/v1/message/${message.ID}">JSON</a></p>
  <pre>${linkify(escapeHtml(message.Text))}</pre>
  ${message.HTML ? `<iframe sandbox="allow-popups allow-popups-to-escape-sandbox" srcdoc="${escapeHtml(message.HTML)}"></iframe>` : ''}
</details>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mail catcher (${messages.length})</title>
<style>body{font:14px system-ui;margin:2em}details{border-bottom:1px solid #ddd;padding:.5em 0}
pre{white-space:pre-wrap}iframe{width:100%;height:28em;border:1px solid #ddd}</style></head>
<body><h1>Mail catcher</h1>
<form><input name="query" placeholder="to:someone@example.com" size="40"> <button>Search</button></form>
<p>${messages.length} message(s). The API is Mailpit's: <code>/api/v1/messages</code>, <code>/api/v1/search?query=to:…</code>.</p>
${rows || '<p>No mail yet.</p>'}
</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function linkify(escaped: string): string {
  return escaped.replace(/https?:\/\/[^\s<]+/g, (url) => `<a href="${url}" target="_blank" rel="noopener">${url}</a>`);
}
