/**
 * OFX and QFX (Quicken's OFX with an INTU.BID), both generations, into one Statement:
 * - 1.x is SGML: a `KEY:VALUE` header, then tags whose values are not closed (`<TRNAMT>-6.60`);
 * - 2.x is XML: a prolog and `<?OFX ...?>`, every element closed.
 * One tokenizer reads both: an element followed by text is a value (its end tag optional), an
 * element followed by another tag is an aggregate (its end tag required). That is the rule the
 * OFX 1.6 spec gives for SGML and it holds for the XML form too, so no XML parser is needed here.
 * Read: bank (STMTRS) and credit card (CCSTMTRS) statements; CURDEF, ACCTID, STMTTRN (DTPOSTED,
 * DTAVAIL, TRNAMT, FITID, NAME or PAYEE, MEMO, CURRENCY, BANKACCTTO/CCACCTTO), LEDGERBAL.
 */
import {
  cleanText,
  combineStatements,
  currencyExponent,
  dayOfTimestamp,
  decimalToMinor,
  problem,
  type StatementPart,
} from './bank-values.ts';
import { decodeDeclared, peekAscii } from './decode-text.ts';
import type { ParseProblem, ParseResult, StatementEntry } from './statement.ts';

interface OfxNode {
  tag: string;
  line: number;
  value: string | null;
  children: OfxNode[];
}

export function parseOfx(bytes: Uint8Array): ParseResult {
  const problems: ParseProblem[] = [];
  const head = peekAscii(bytes);
  if (!/^\s*(OFXHEADER\s*:|<\?xml|<\?OFX|<OFX>)/i.test(head) || !/<OFX>/i.test(peekAscii(bytes, 1 << 16))) {
    return refuse(null, 'IMPORT_FORMAT_MISMATCH', 'not an OFX file: no OFX header and no <OFX> element');
  }
  const charset = declaredCharset(head);
  const decoded = decodeDeclared(bytes, charset);
  if (!decoded.ok) return refuse(1, 'IMPORT_CHARSET_UNSUPPORTED', `cannot decode the declared charset ${charset}`);

  const tree = buildTree(decoded.text);
  if ('code' in tree) return { statement: null, problems: [tree] };

  const parts: StatementPart[] = [];
  for (const rs of descendants(tree, (n) => n.tag === 'STMTRS' || n.tag === 'CCSTMTRS')) {
    const part = readStatement(rs, problems);
    if (part) parts.push(part);
  }
  if (parts.length === 0) {
    problems.push(problem(null, 'IMPORT_FILE_MALFORMED', 'the OFX file holds no bank or credit card statement'));
    return { statement: null, problems };
  }
  return { statement: combineStatements(parts, problems), problems };
}

function refuse(line: number | null, code: string, message: string): ParseResult {
  return { statement: null, problems: [problem(line, code, message)] };
}

/** OFX 1.x: ENCODING:UTF-8 means UTF-8, else CHARSET (1252, ISO-8859-1); 2.x: the XML prolog. */
function declaredCharset(head: string): string {
  const xml = /<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(head);
  if (xml?.[1]) return xml[1];
  if (/^\s*<\?xml/i.test(head)) return 'utf-8';
  const encoding = /^ENCODING\s*:\s*(\S+)/im.exec(head)?.[1] ?? '';
  if (/^utf-?8$/i.test(encoding)) return 'utf-8';
  const charset = /^CHARSET\s*:\s*(\S+)/im.exec(head)?.[1] ?? 'NONE';
  return /^none$/i.test(charset) ? 'windows-1252' : charset;
}

/** The element tree under a synthetic root, or the problem that stops reading. */
function buildTree(text: string): OfxNode | ParseProblem {
  const root: OfxNode = { tag: '#root', line: 1, value: null, children: [] };
  const stack: OfxNode[] = [root];
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([A-Za-z0-9_.]+)[^>]*>/g;
  let line = 1;
  let scanned = 0;
  let previousEnd = text.search(/<OFX>/i);
  let opened: OfxNode | null = null; // the element whose start tag was the last token
  let closedLeaf: OfxNode | null = null; // a value element whose optional end tag may come next
  token.lastIndex = previousEnd;
  for (let match = token.exec(text); match; match = token.exec(text)) {
    line += countNewlines(text, scanned, match.index);
    scanned = match.index;
    const between = text.slice(previousEnd, match.index).trim();
    previousEnd = match.index + match[0].length;
    if (opened && between !== '') {
      opened.value = decodeEntities(between);
      stack.pop();
      closedLeaf = opened;
    }
    opened = null;
    const tag = match[2]?.toUpperCase();
    if (!tag) continue; // a comment or processing instruction
    if (match[1] !== '/') {
      const node: OfxNode = { tag, line, value: null, children: [] };
      stack[stack.length - 1]?.children.push(node);
      stack.push(node);
      opened = node;
      closedLeaf = null;
      continue;
    }
    if (closedLeaf?.tag === tag) {
      closedLeaf = null;
      continue;
    }
    closedLeaf = null;
    const at = stack.findLastIndex((n) => n.tag === tag);
    if (at < 1) return problem(line, 'IMPORT_FILE_MALFORMED', `</${tag}> closes an element that is not open`);
    stack.length = at;
  }
  if (stack.length > 1) {
    const open = stack[stack.length - 1];
    return problem(
      line,
      'IMPORT_FILE_TRUNCATED',
      `the file ends inside <${open?.tag}> (opened on line ${open?.line}): it was cut short`,
    );
  }
  return root;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = text.indexOf('\n', from); i !== -1 && i < to; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(Number.parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number.parseInt(lower.slice(1), 10));
    return { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' }[lower] ?? whole;
  });
}

function child(node: OfxNode | undefined, ...path: string[]): OfxNode | undefined {
  let current = node;
  for (const tag of path) current = current?.children.find((c) => c.tag === tag);
  return current;
}

function leaf(node: OfxNode | undefined, ...path: string[]): string | null {
  return cleanText(child(node, ...path)?.value);
}

function descendants(node: OfxNode, wanted: (n: OfxNode) => boolean): OfxNode[] {
  const found: OfxNode[] = [];
  for (const c of node.children) {
    if (wanted(c)) found.push(c);
    else found.push(...descendants(c, wanted));
  }
  return found;
}

function readStatement(rs: OfxNode, problems: ParseProblem[]): StatementPart | null {
  const currency = (leaf(rs, 'CURDEF') ?? '').toUpperCase();
  const exponent = currencyExponent(currency);
  if (exponent === null) {
    problems.push(problem(rs.line, 'IMPORT_CURRENCY_INVALID', `CURDEF "${currency}" is not an ISO 4217 code`));
    return null;
  }
  const account = leaf(rs, 'BANKACCTFROM', 'ACCTID') ?? leaf(rs, 'CCACCTFROM', 'ACCTID');
  const entries: StatementEntry[] = [];
  for (const trn of child(rs, 'BANKTRANLIST')?.children.filter((c) => c.tag === 'STMTTRN') ?? []) {
    const entry = readTransaction(trn, currency, exponent, problems);
    if (entry) entries.push(entry);
  }
  const ledger = child(rs, 'LEDGERBAL');
  const closingText = leaf(ledger, 'BALAMT');
  const closingBalanceMinor = closingText === null ? null : decimalToMinor(closingText, exponent);
  if (closingText !== null && closingBalanceMinor === null) {
    problems.push(problem(ledger?.line ?? rs.line, 'IMPORT_AMOUNT_INVALID', `LEDGERBAL "${closingText}"`));
  }
  return {
    line: rs.line,
    statement: {
      format: 'ofx',
      account,
      currency,
      openingBalanceMinor: null,
      openingOn: null,
      closingBalanceMinor,
      closingOn: closingBalanceMinor === null ? null : dayOfTimestamp(leaf(ledger, 'DTASOF') ?? ''),
      entries,
    },
  };
}

function readTransaction(
  trn: OfxNode,
  statementCurrency: string,
  statementExponent: number,
  problems: ParseProblem[],
): StatementEntry | null {
  const posted = leaf(trn, 'DTPOSTED');
  const bookedOn = dayOfTimestamp(posted ?? '');
  if (bookedOn === null) {
    const code = posted === null ? 'IMPORT_ENTRY_INVALID' : 'IMPORT_DATE_INVALID';
    problems.push(problem(trn.line, code, `DTPOSTED "${posted ?? ''}" is not a date`));
    return null;
  }
  // CURRENCY means TRNAMT is in that currency; ORIGCURRENCY only tells where a CURDEF amount came from.
  const currency = (leaf(trn, 'CURRENCY', 'CURSYM') ?? statementCurrency).toUpperCase();
  const exponent = currency === statementCurrency ? statementExponent : currencyExponent(currency);
  if (exponent === null) {
    problems.push(problem(trn.line, 'IMPORT_CURRENCY_INVALID', `CURSYM "${currency}" is not an ISO 4217 code`));
    return null;
  }
  const amountText = leaf(trn, 'TRNAMT');
  const amountMinor = amountText === null ? null : decimalToMinor(amountText, exponent);
  if (amountMinor === null) {
    const code = amountText === null ? 'IMPORT_ENTRY_INVALID' : 'IMPORT_AMOUNT_INVALID';
    problems.push(problem(trn.line, code, `TRNAMT "${amountText ?? ''}" is not an amount in ${currency}`));
    return null;
  }
  const avail = leaf(trn, 'DTAVAIL');
  return {
    line: trn.line,
    bookedOn,
    valueOn: avail === null ? null : dayOfTimestamp(avail),
    amountMinor,
    currency,
    counterparty: leaf(trn, 'NAME') ?? leaf(trn, 'PAYEE', 'NAME'),
    counterpartyAccount: leaf(trn, 'BANKACCTTO', 'ACCTID') ?? leaf(trn, 'CCACCTTO', 'ACCTID'),
    text: leaf(trn, 'MEMO'),
    bankReference: leaf(trn, 'FITID'),
  };
}
