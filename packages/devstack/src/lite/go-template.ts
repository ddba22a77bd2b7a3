/**
 * The part of Go's text/template that Supabase Auth email templates use, which lite's renderer
 * lacks (it only replaces `{{ .Name }}`): fields and nested fields (`{{ .Data.locale }}`),
 * `{{ if }}` / `{{ else if }}` / `{{ else }}` / `{{ end }}` on a field's truth or on
 * `eq <field> "literal" ...`, comments and `{{-`/`-}}` trimming. HTML is escaped as GoTrue's
 * html/template does in a body; a subject is rendered as text.
 */

type Context = Record<string, unknown>;

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'field'; path: string[] }
  | { kind: 'if'; branches: Array<{ condition: string | null; body: Node[] }> };

export function renderGoTemplate(template: string, context: Context, { html }: { html: boolean }): string {
  const tokens = tokenize(template);
  let position = 0;

  const parse = (ends: RegExp): Node[] => {
    const nodes: Node[] = [];
    while (position < tokens.length) {
      const token = tokens[position];
      if (token.kind === 'text') {
        nodes.push({ kind: 'text', text: token.text });
        position += 1;
        continue;
      }
      if (ends.test(token.action)) return nodes;
      position += 1;
      if (/^\/\*[\s\S]*\*\/$/.test(token.action)) continue;
      const ifMatch = token.action.match(/^if\s+(.+)$/);
      if (ifMatch) {
        const branches: Array<{ condition: string | null; body: Node[] }> = [];
        let condition: string | null = ifMatch[1];
        for (;;) {
          const body = parse(/^(else|end)\b/);
          branches.push({ condition, body });
          const closing = tokens[position];
          if (closing?.kind !== 'action') throw new Error('template: {{ if }} without {{ end }}');
          position += 1;
          if (closing.action === 'end') break;
          const elseIf = closing.action.match(/^else\s+if\s+(.+)$/);
          condition = elseIf ? elseIf[1] : null;
        }
        nodes.push({ kind: 'if', branches });
      } else if (/^\.[\w.]*$/.test(token.action)) {
        nodes.push({ kind: 'field', path: token.action.split('.').filter(Boolean) });
      } else {
        throw new Error(`template: unsupported action {{ ${token.action} }}`);
      }
    }
    return nodes;
  };

  const nodes = parse(/^$/);
  const write = (list: Node[]): string =>
    list
      .map((node) => {
        if (node.kind === 'text') return node.text;
        if (node.kind === 'field') {
          const value = lookup(context, node.path);
          const text = value === undefined || value === null ? '' : String(value);
          return html ? escapeHtml(text) : text;
        }
        const branch = node.branches.find((b) => b.condition === null || truthy(evaluate(b.condition, context)));
        return branch ? write(branch.body) : '';
      })
      .join('');
  return write(nodes);
}

type Token = { kind: 'text'; text: string } | { kind: 'action'; action: string };

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\{\{(-\s)?\s*(.*?)\s*(\s-)?\}\}/gs;
  let last = 0;
  let trimNext = false;
  for (const match of template.matchAll(pattern)) {
    let text = template.slice(last, match.index);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (match[1]) text = text.replace(/\s+$/, '');
    if (text) tokens.push({ kind: 'text', text });
    tokens.push({ kind: 'action', action: match[2] });
    trimNext = Boolean(match[3]);
    last = (match.index ?? 0) + match[0].length;
  }
  let rest = template.slice(last);
  if (trimNext) rest = rest.replace(/^\s+/, '');
  if (rest) tokens.push({ kind: 'text', text: rest });
  return tokens;
}

/** A condition: `.Field`, or `eq .Field "a" "b"` (true when the field equals any literal, as Go's eq). */
function evaluate(condition: string, context: Context): unknown {
  const eq = condition.match(/^eq\s+(\.[\w.]*)\s+(.+)$/);
  if (eq) {
    const value = lookup(context, eq[1].split('.').filter(Boolean));
    const literals = [...eq[2].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
    if (literals.length === 0) throw new Error(`template: eq needs string literals: ${condition}`);
    return literals.some((literal) => value === literal);
  }
  if (/^\.[\w.]*$/.test(condition)) return lookup(context, condition.split('.').filter(Boolean));
  throw new Error(`template: unsupported condition ${condition}`);
}

function lookup(context: Context, path: string[]): unknown {
  let value: unknown = context;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Context)[key];
  }
  return value;
}

function truthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c] ?? c,
  );
}
