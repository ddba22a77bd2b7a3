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
import { cleanText, currencyExponent, dayOfTimestamp, decimalToMinor, problem } from './bank-values.ts';
import { decodeDeclared, peekAscii } from './decode-text.ts';
import type { ParseProblem, ParseResult, StatementEntry } from './statement.ts';
import {
  closeStatement,
  countEntry,
  insideMarkup,
  latin1,
  newStatements,
  openStatement,
  partEnd,
  type Refusal,
  readWhole,
  type Statements,
  type StructuredReader,
} from './statement-parts.ts';

interface OfxNode {
  tag: string;
  line: number;
  value: string | null;
  children: OfxNode[];
  /** A bank or credit card statement (STMTRS, CCSTMTRS); its first BANKTRANLIST. */
  role?: 'statement' | 'list';
}

/**
 * What one part hands the next (JSON). A part starts at a start tag (STMTTRN, STMTRS or
 * CCSTMTRS), so what is open there is the elements around it, a statement's header (CURDEF,
 * BANKACCTFROM) among them; transactions and statements are read and dropped as they close.
 */
interface OfxCarry {
  charset: string;
  /** The line the part starts on. */
  line: number;
  /** The open elements from a synthetic root, each without its open child (the next in the stack). */
  stack: OfxNode[];
  /** The open statement: its header is decided at its first transaction (or its end), then read or passed over. */
  statement: { state: 'header' | 'read' | 'skip'; currency: string; exponent: number } | null;
  /** Why the first statement left out was (its currency), the refusal if none is read. */
  dropped: ParseProblem | null;
  statements: Statements;
}

export function parseOfx(bytes: Uint8Array): ParseResult {
  return readWhole(ofxReader, bytes, {});
}

/** The start tags a part may start at. */
const partStarts = new Set(['STMTTRN', 'STMTRS', 'CCSTMTRS']);

/** OFX in parts, each starting at a transaction's or statement's start tag. */
export const ofxReader: StructuredReader = {
  start(bytes) {
    const head = peekAscii(bytes);
    const start = latin1(bytes.subarray(0, 1 << 16)).search(/<OFX>/i);
    if (!/^\s*(OFXHEADER\s*:|<\?xml|<\?OFX|<OFX>)/i.test(head) || start < 0) {
      return refuse(null, 'IMPORT_FORMAT_MISMATCH', 'not an OFX file: no OFX header and no <OFX> element');
    }
    const charset = declaredCharset(head);
    if (!decodeDeclared(new Uint8Array(0), charset).ok) {
      return refuse(1, 'IMPORT_CHARSET_UNSUPPORTED', `cannot decode the declared charset ${charset}`);
    }
    const root: OfxNode = { tag: '#root', line: 1, value: null, children: [] };
    const carry: OfxCarry = {
      charset,
      line: 1 + countNewlines(latin1(bytes.subarray(0, start)), 0, start),
      stack: [root],
      statement: null,
      dropped: null,
      statements: newStatements(),
    };
    return { offset: start, carry };
  },

  part(bytes, position, maxBytes) {
    const carry = structuredClone(position.carry) as OfxCarry;
    const end = partEnd(bytes, position.offset, maxBytes, (window) => lastPartStart(latin1(window)));
    const decoded = decodeDeclared(bytes.subarray(position.offset, end), carry.charset);
    if (!decoded.ok)
      return refuse(1, 'IMPORT_CHARSET_UNSUPPORTED', `cannot decode the declared charset ${carry.charset}`);
    const last = end === bytes.length;
    // The checkpoint holds each open element once, in the stack: each is its parent's last child again.
    carry.stack.forEach((node, i) => {
      const open = carry.stack[i + 1];
      if (open) node.children.push(open);
    });
    const read = readTokens(decoded.text, carry, last);
    if ('refusal' in read) return read;
    for (const node of carry.stack.slice(0, -1)) node.children.pop();
    return { ...read, position: { offset: end, carry }, done: last, head: carry.statements.head };
  },

  finish(position) {
    const carry = position.carry as OfxCarry;
    if (!carry.statements.head) {
      return {
        refusal:
          carry.dropped ??
          problem(null, 'IMPORT_FILE_MALFORMED', 'the OFX file holds no bank or credit card statement'),
      };
    }
    return { statement: carry.statements.head, problems: [] };
  },
};

function refuse(line: number | null, code: string, message: string): Refusal {
  return { refusal: problem(line, code, message) };
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

/**
 * Reads a part's tokens into the open elements, an element followed by text being a value (its
 * end tag optional) and one followed by a tag an aggregate (its end tag required). A transaction
 * is read when it closes, a statement's balance when it closes; both are then dropped, so what
 * stays open is small. The file's last part ends with every element closed, or it was cut short.
 */
function readTokens(
  text: string,
  carry: OfxCarry,
  last: boolean,
): { entries: StatementEntry[]; problems: ParseProblem[] } | Refusal {
  const entries: StatementEntry[] = [];
  const problems: ParseProblem[] = [];
  const { stack } = carry;

  /** A statement's header: its currency and account; one whose currency is none is passed over. */
  const decide = (rs: OfxNode) => {
    const currency = (leaf(rs, 'CURDEF') ?? '').toUpperCase();
    const exponent = currencyExponent(currency);
    if (exponent === null) {
      problems.push(problem(rs.line, 'IMPORT_CURRENCY_INVALID', `CURDEF "${currency}" is not an ISO 4217 code`));
      carry.dropped ??= problems[problems.length - 1] ?? null;
      carry.statement = { state: 'skip', currency, exponent: 0 };
      return;
    }
    const account = leaf(rs, 'BANKACCTFROM', 'ACCTID') ?? leaf(rs, 'CCACCTFROM', 'ACCTID');
    openStatement(carry.statements, rs.line, {
      format: 'ofx',
      account,
      currency,
      openingBalanceMinor: null,
      openingOn: null,
      closingBalanceMinor: null,
      closingOn: null,
    });
    carry.statement = { state: 'read', currency, exponent };
  };

  /**
   * An element leaves the stack: a statement's transaction or the statement itself is read, and
   * dropped. It is its parent's last child: children are added only to the element on top.
   */
  const leave = (node: OfxNode) => {
    const parent = stack[stack.length - 1];
    if (node.tag === 'STMTTRN' && parent?.role === 'list' && carry.statement) {
      parent.children.pop();
      if (carry.statement.state === 'header') decide(stack.findLast((n) => n.role === 'statement') ?? node);
      if (carry.statement.state !== 'read') return;
      const entry = readTransaction(node, carry.statement.currency, carry.statement.exponent, problems);
      if (!entry) return;
      countEntry(carry.statements, entry);
      if (carry.statements.open?.own) entries.push(entry);
      return;
    }
    if (node.role !== 'statement' || !carry.statement) return;
    parent?.children.pop();
    if (carry.statement.state === 'header') decide(node);
    if (carry.statement.state === 'read') {
      const ledger = child(node, 'LEDGERBAL');
      const closingText = leaf(ledger, 'BALAMT');
      const minor = closingText === null ? null : decimalToMinor(closingText, carry.statement.exponent);
      if (closingText !== null && minor === null) {
        problems.push(problem(ledger?.line ?? node.line, 'IMPORT_AMOUNT_INVALID', `LEDGERBAL "${closingText}"`));
      }
      const on = minor === null ? null : dayOfTimestamp(leaf(ledger, 'DTASOF') ?? '');
      closeStatement(carry.statements, { minor, on }, problems);
    }
    carry.statement = null;
  };
  const pop = () => {
    const node = stack.pop();
    if (node) leave(node);
  };

  const token = tokens();
  let line = carry.line;
  let scanned = 0;
  let previousEnd = 0;
  let opened: OfxNode | null = null; // the element whose start tag was the last token
  let closedLeaf: OfxNode | null = null; // a value element whose optional end tag may come next
  /** The text up to the next token: the value of the element opened just before it, if any. */
  const valueBefore = (at: number) => {
    const between = text.slice(previousEnd, at).trim();
    if (opened && between !== '') {
      opened.value = decodeEntities(between);
      closedLeaf = opened;
      pop();
    }
    opened = null;
  };
  for (let match = token.exec(text); match; match = token.exec(text)) {
    line += countNewlines(text, scanned, match.index);
    scanned = match.index;
    valueBefore(match.index);
    previousEnd = match.index + match[0].length;
    const tag = match[2]?.toUpperCase();
    if (!tag) continue; // a comment or processing instruction
    if (match[1] !== '/') {
      const node: OfxNode = { tag, line, value: null, children: [] };
      const parent = stack[stack.length - 1];
      if ((tag === 'STMTRS' || tag === 'CCSTMTRS') && !carry.statement) {
        node.role = 'statement';
        carry.statement = { state: 'header', currency: '', exponent: 0 };
      } else if (
        tag === 'BANKTRANLIST' &&
        parent?.role === 'statement' &&
        !parent.children.some((c) => c.tag === 'BANKTRANLIST')
      ) {
        node.role = 'list';
      }
      parent?.children.push(node);
      stack.push(node);
      opened = node;
      closedLeaf = null;
      continue;
    }
    if ((closedLeaf as OfxNode | null)?.tag === tag) {
      closedLeaf = null;
      continue;
    }
    closedLeaf = null;
    const at = stack.findLastIndex((n) => n.tag === tag);
    if (at < 1) return refuse(line, 'IMPORT_FILE_MALFORMED', `</${tag}> closes an element that is not open`);
    while (stack.length > at) pop();
  }
  if (!last) {
    // The next part starts with a start tag: the text before it is read as that tag reads it.
    line += countNewlines(text, scanned, text.length);
    valueBefore(text.length);
    carry.line = line;
    return { entries, problems };
  }
  if (stack.length > 1) {
    const open = stack[stack.length - 1];
    return refuse(
      line,
      'IMPORT_FILE_TRUNCATED',
      `the file ends inside <${open?.tag}> (opened on line ${open?.line}): it was cut short`,
    );
  }
  return { entries, problems };
}

/** OFX's tokens: comments, processing instructions, start and end tags. */
function tokens(): RegExp {
  return /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<(\/?)([A-Za-z0-9_.]+)[^>]*>/g;
}

/**
 * Where the last start tag a part may start at lies in a window (0 if none after its first
 * byte), found by the tokenizer itself; one inside a comment or processing instruction that the
 * window's end cuts is none.
 */
function lastPartStart(window: string): number {
  const token = tokens();
  const starts: number[] = [];
  for (let match = token.exec(window); match; match = token.exec(window)) {
    if (match.index > 0 && match[1] === '' && partStarts.has(match[2]?.toUpperCase() ?? '')) starts.push(match.index);
  }
  for (let i = starts.length - 1; i >= 0; i--) {
    const at = starts[i] ?? 0;
    if (!insideMarkup(window, at, '<!--', '-->') && !insideMarkup(window, at, '<?', '?>')) return at;
  }
  return 0;
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
