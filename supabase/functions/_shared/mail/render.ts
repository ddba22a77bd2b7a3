import { templates } from './templates.generated.ts';

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/**
 * Fills a compiled template's `{{variables}}` (HTML-escaped in the HTML part). An unknown
 * template is a programming error; an unknown language falls back to English.
 */
export function renderMail(template: string, locale: string, variables: Record<string, string>): RenderedMail {
  const languages = templates[template];
  if (!languages) throw new Error(`no mail template "${template}"`);
  const compiled = languages[locale] ?? languages.en;
  const fill = (text: string, escape: boolean) =>
    text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
      const value = variables[name];
      if (value === undefined) throw new Error(`mail template "${template}" needs "${name}"`);
      return escape ? escapeHtml(value) : value;
    });
  return { subject: fill(compiled.subject, false), html: fill(compiled.html, true), text: fill(compiled.text, false) };
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}
