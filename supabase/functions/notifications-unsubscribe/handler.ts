import { AppError } from '@westwallet/shared';
import { z } from 'zod';
import { db } from '../_shared/db.ts';
import { endpoint } from '../_shared/http.ts';

const query = z.object({ token: z.string().min(1).max(300) });

/**
 * The unsubscribe link of every notification mail (`?token=<user>.<kind>.<signature>`, signed by
 * the database). GET shows a page with one button and changes nothing, since mail scanners open
 * links; POST unsubscribes: the page's button, or a mail client's RFC 8058 one-click request
 * (`List-Unsubscribe=One-Click`, from the List-Unsubscribe-Post header). A forged or altered
 * token is 400 UNSUBSCRIBE_TOKEN_INVALID; doing it twice is harmless.
 */
export const handler = endpoint(['GET', 'POST'], async (request) => {
  const url = new URL(request.url);
  const { token } = query.parse({ token: url.searchParams.get('token') ?? undefined });
  if (request.method === 'GET') {
    return page(
      'Unsubscribe from these emails?',
      `<form method="post" action="?token=${
        encodeURIComponent(token)
      }"><button type="submit">Unsubscribe</button></form>`,
    );
  }
  await request.body?.cancel();
  const [{ kind }] = await db()<{ kind: string }[]>`select private.unsubscribe(${token}) as kind`;
  if (!kind) throw new AppError('UNSUBSCRIBE_TOKEN_INVALID', 'The unsubscribe link is not valid.');
  return page('You are unsubscribed', `<p>You will get no more of these emails (${escapeHtml(kind)}).</p>`);
});

function page(title: string, body: string): Response {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
    `<body style="font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto"><h1>${title}</h1>${body}</body></html>`;
  return new Response(html, { headers: { 'content-type': 'text/html; charset=utf-8' } });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
