/**
 * ISO 20022 bank-to-customer statements (camt.053) and debit/credit notifications (camt.054),
 * message versions .001.02 to .001.13 (the elements read here kept their names and places across
 * them; .02, .04 and .08 are tested), into one Statement.
 * Read: Acct/Id (IBAN or Othr/Id) and Ccy; Bal OPBD (else PRCD) as opening and CLBD as closing;
 * each booked Ntry: Amt and its Ccy, CdtDbtInd (the sign), BookgDt/ValDt (Dt or DtTm),
 * AcctSvcrRef, and per TxDtls the counterparty by direction (a credit's Dbtr, a debit's Cdtr, as
 * Nm or v8's Pty/Nm, with their account), RmtInf (Ustrd, Strd/CdtrRefInf/Ref, AddtlRmtInf) and
 * Refs (AcctSvcrRef, EndToEndId). A batch entry whose TxDtls each carry an amount that add up to
 * the entry is split into one entry per TxDtls; otherwise it stays one entry with their texts.
 * Entries are numbered by ordinal (`line`), since XML lines say little about an entry.
 * saxes (ISC, the streaming XML parser jsdom uses, pure JS for Node and Deno) reads the XML; it
 * checks well-formedness with line numbers. The file is read in parts that start at an `<Ntry>`
 * (statement-parts.ts), a report's header carried from part to part.
 */
import { SaxesParser } from 'saxes';
import { cleanText, currencyExponent, dayOfTimestamp, decimalToMinor, problem } from './bank-values.ts';
import { decodeDeclared, peekAscii } from './decode-text.ts';
import type { ParseProblem, ParseResult, StatementEntry, StatementFormat } from './statement.ts';
import {
  closeStatement,
  countEntry,
  countLines,
  insideMarkup,
  latin1,
  newStatements,
  openStatement,
  partEnd,
  type Refusal,
  readWhole,
  type StatementHead,
  type Statements,
  type StructuredReader,
} from './statement-parts.ts';

// biome-ignore lint/suspicious/noExplicitAny: parsed XML is untyped until read through `at`.
type Xml = any;

/** Elements that may repeat, so they are always arrays in the tree. */
const repeated = new Set(['Stmt', 'Ntfctn', 'Bal', 'Ntry', 'NtryDtls', 'TxDtls', 'Ustrd', 'Strd', 'CdtrRefInf']);

/**
 * An element being read: its local and qualified names, its children so far as plain objects
 * (an element with neither attributes nor children is its text; otherwise an object of its
 * children by local name, its attributes as `@name` and its text as `#text`), and its text.
 */
interface Open {
  name: string;
  qname: string;
  node: Record<string, Xml>;
  text: string;
  /** The message's first BkToCstmrStmt (BkToCstmrDbtCdtNtfctn), whose reports are read; a report. */
  role?: 'group' | 'report';
}

/**
 * What one part hands the next (JSON). A part starts at an `<Ntry>`, so what is open there is
 * the document, the message, the report with its header (Acct, Bal), and nothing of an entry.
 */
interface CamtCarry {
  format: StatementFormat;
  encoding: string;
  /** The line the part starts on. */
  line: number;
  stack: Open[];
  groupSeen: boolean;
  /**
   * The open report: its header is decided at its first entry (whose Ccy is the report's when
   * Acct and Bal give none), then its entries are read, or passed over if the header is unusable.
   */
  report: 'header' | 'read' | 'skip' | null;
  /** The open report's closing balance, for its end. */
  closing: { minor: number | null; on: string | null };
  /** Entries numbered so far. */
  ordinal: number;
  reports: number;
  /** Why the first report left out was (its currency), the refusal if no report is read. */
  dropped: ParseProblem | null;
  statements: Statements;
}

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

export function parseCamt(bytes: Uint8Array): ParseResult {
  return readWhole(camtReader, bytes, {});
}

/** CAMT in parts, each starting at an `<Ntry>`: saxes reads each part after the open elements written again. */
export const camtReader: StructuredReader = {
  start(bytes) {
    const head = peekAscii(bytes);
    const kind = /urn:iso:std:iso:20022:tech:xsd:camt\.(05[0-9])\.001\.(\d{2})/.exec(peekAscii(bytes, 1 << 14));
    if (!kind || (kind[1] !== '053' && kind[1] !== '054')) {
      const what = kind ? `a camt.${kind[1]} message` : 'no ISO 20022 camt message';
      return refuse(
        null,
        'IMPORT_FORMAT_MISMATCH',
        `${what}: only camt.053 statements and camt.054 notifications are read`,
      );
    }
    if (Number(kind[2]) < 2)
      return refuse(null, 'IMPORT_FORMAT_MISMATCH', `camt.${kind[1]}.001.${kind[2]} is not read`);
    const format: StatementFormat = kind[1] === '053' ? 'camt.053' : 'camt.054';
    const encoding = /<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1] ?? 'utf-8';
    const tail = decodeDeclared(bytes.subarray(Math.max(0, bytes.length - 1024)), encoding);
    if (!tail.ok) return refuse(1, 'IMPORT_CHARSET_UNSUPPORTED', `cannot decode the declared encoding ${encoding}`);
    // A download cut short ends before the root's end tag; say so rather than which tag is unclosed.
    if (!/<\/(\w+:)?Document>\s*$/.test(tail.text)) {
      return refuse(
        countByte(bytes, 0x0a) + 1,
        'IMPORT_FILE_TRUNCATED',
        'the file ends before </Document>: it was cut short',
      );
    }
    const carry: CamtCarry = {
      format,
      encoding,
      line: 1,
      stack: [{ name: '#root', qname: '#root', node: {}, text: '' }],
      groupSeen: false,
      report: null,
      closing: { minor: null, on: null },
      ordinal: 0,
      reports: 0,
      dropped: null,
      statements: newStatements(),
    };
    return { offset: 0, carry };
  },

  part(bytes, position, maxBytes) {
    const carry = structuredClone(position.carry) as CamtCarry;
    const end = partEnd(bytes, position.offset, maxBytes, (window) => lastEntryStart(latin1(window)));
    const decoded = decodeDeclared(bytes.subarray(position.offset, end), carry.encoding);
    if (!decoded.ok) return { refusal: problem(1, 'IMPORT_CHARSET_UNSUPPORTED', `cannot decode ${carry.encoding}`) };
    const last = end === bytes.length;
    const entries: StatementEntry[] = [];
    const problems: ParseProblem[] = [];
    const stack = carry.stack;
    const group = carry.format === 'camt.053' ? 'BkToCstmrStmt' : 'BkToCstmrDbtCdtNtfctn';
    const reportName = carry.format === 'camt.053' ? 'Stmt' : 'Ntfctn';

    const decide = (report: Open, firstEntry: Xml) => {
      const node = firstEntry === undefined ? report.node : { ...report.node, Ntry: [firstEntry] };
      const read = readReportHead(node, carry.format, problems);
      if (!read) {
        carry.report = 'skip';
        carry.dropped ??= problems[problems.length - 1] ?? null;
        return;
      }
      carry.report = 'read';
      carry.reports++;
      carry.closing = read.closing;
      openStatement(carry.statements, carry.ordinal + 1, read.head);
    };

    const parser = new SaxesParser({ position: true });
    let failure: ParseProblem | null = null;
    // The open elements are written again for this part's parser; the stack already holds them.
    let restoring = true;
    parser.on('error', (error) => {
      failure ??= problem(
        carry.line + parser.line - 1,
        'IMPORT_FILE_MALFORMED',
        error.message.replace(/^(?:[^:]*:)?\d+:\d+: /, ''),
      );
    });
    parser.on('opentag', (tag) => {
      if (restoring) return;
      const node: Record<string, Xml> = {};
      for (const [name, value] of Object.entries(tag.attributes)) node[`@${localName(name)}`] = value;
      const parent = stack[stack.length - 1];
      // Blanks before a child are nothing once trimmed; dropped, they do not pile up in a report's carry.
      if (parent && parent.text.trim() === '') parent.text = '';
      const open: Open = { name: localName(tag.name), qname: tag.name, node, text: '' };
      if (stack.length === 2 && stack[1]?.name === 'Document' && open.name === group && !carry.groupSeen) {
        carry.groupSeen = true;
        open.role = 'group';
      } else if (parent?.role === 'group' && open.name === reportName) {
        open.role = 'report';
        carry.report = 'header';
      }
      stack.push(open);
    });
    const addText = (chunk: string) => {
      const top = stack[stack.length - 1];
      if (top) top.text += chunk;
    };
    parser.on('text', addText);
    parser.on('cdata', addText);
    parser.on('closetag', () => {
      const done = stack.pop();
      const parent = stack[stack.length - 1];
      if (!done || !parent) return;
      const text = done.text.trim();
      let value: Xml = done.node;
      if (Object.keys(done.node).length === 0) value = text;
      else if (text !== '') done.node['#text'] = text;
      if (parent.role === 'report' && done.name === 'Ntry') {
        if (carry.report === 'header') decide(parent, value);
        if (carry.report === 'skip') return;
        const read = readEntry(value, ++carry.ordinal, problems);
        for (const entry of read) countEntry(carry.statements, entry);
        if (carry.statements.open?.own) entries.push(...read);
        return;
      }
      if (done.role === 'report') {
        if (carry.report === 'header') decide(done, undefined);
        if (carry.report === 'read') closeStatement(carry.statements, carry.closing, problems);
        carry.report = null;
        return;
      }
      const existing = parent.node[done.name];
      if (repeated.has(done.name)) parent.node[done.name] = [...(existing ?? []), value];
      else if (existing === undefined) parent.node[done.name] = value;
      else parent.node[done.name] = [...list(existing), value];
    });
    try {
      parser.write(
        stack
          .slice(1)
          .map((open) => `<${open.qname}>`)
          .join(''),
      );
      restoring = false;
      parser.write(decoded.text);
      if (last) parser.close();
    } catch {
      // saxes has called the error handler with the first error, which is the one reported.
    }
    if (failure) return { refusal: failure };
    carry.line += countLines(decoded.text);
    return { entries, problems, position: { offset: end, carry }, done: last, head: carry.statements.head };
  },

  finish(position) {
    const carry = position.carry as CamtCarry;
    if (!carry.statements.head) {
      const what = carry.format === 'camt.053' ? 'Stmt' : 'Ntfctn';
      return {
        refusal:
          carry.dropped ?? problem(null, 'IMPORT_FILE_MALFORMED', `the ${carry.format} message holds no ${what}`),
      };
    }
    return { statement: carry.statements.head, problems: [] };
  },
};

/**
 * Where the last `<Ntry>` in a window starts (0 if none after its first byte): a part ends there.
 * One inside a comment, CDATA section or processing instruction is none.
 */
function lastEntryStart(window: string): number {
  const starts = [...window.matchAll(/<(?:[\w.-]+:)?Ntry[\s/>]/g)].map((m) => m.index);
  for (let i = starts.length - 1; i >= 0; i--) {
    const at = starts[i] ?? 0;
    if (
      at > 0 &&
      !insideMarkup(window, at, '<!--', '-->') &&
      !insideMarkup(window, at, '<![CDATA[', ']]>') &&
      !insideMarkup(window, at, '<?', '?>')
    )
      return at;
  }
  return 0;
}

function countByte(bytes: Uint8Array, byte: number): number {
  let n = 0;
  for (let i = bytes.indexOf(byte); i >= 0; i = bytes.indexOf(byte, i + 1)) n++;
  return n;
}

function refuse(line: number | null, code: string, message: string): Refusal {
  return { refusal: problem(line, code, message) };
}

/** The value at a path, or undefined; arrays on the way are entered at their first item. */
function at(node: Xml, ...path: string[]): Xml {
  let current = node;
  for (const key of path) {
    if (Array.isArray(current)) current = current[0];
    current = current?.[key];
  }
  return current;
}

function list(node: Xml): Xml[] {
  if (node === undefined || node === null) return [];
  return Array.isArray(node) ? node : [node];
}

/** An element's text, whether it parsed as a string or (with attributes) as an object. */
function text(node: Xml): string | null {
  if (typeof node === 'string') return cleanText(node);
  if (node && typeof node === 'object' && '#text' in node) return cleanText(String(node['#text']));
  return null;
}

/** ISODate or ISODateTime under `Dt`/`DtTm` (BookgDt, ValDt, balances' Dt). */
function day(node: Xml): string | null {
  const value = text(at(node, 'Dt')) ?? text(at(node, 'DtTm'));
  return value === null ? null : dayOfTimestamp(value);
}

function accountId(node: Xml): string | null {
  return text(at(node, 'Id', 'IBAN')) ?? text(at(node, 'Id', 'Othr', 'Id'));
}

interface Money {
  minor: number;
  currency: string;
}

/** `<Amt Ccy="EUR">8.85</Amt>` with its CdtDbtInd as the sign; null if it does not read. */
function signedAmount(amount: Xml, indicator: string | null): Money | null {
  const currency = String(amount?.['@Ccy'] ?? '').toUpperCase();
  const exponent = currencyExponent(currency);
  const value = text(amount);
  if (exponent === null || value === null || !/^\d+(\.\d+)?$/.test(value)) return null;
  const minor = decimalToMinor(value, exponent);
  if (minor === null || (indicator !== 'CRDT' && indicator !== 'DBIT')) return null;
  return { minor: indicator === 'DBIT' ? -minor : minor, currency };
}

/** A report's header: the statement it is and its closing balance; null (with a problem) if its currency is none. */
function readReportHead(
  report: Xml,
  format: StatementFormat,
  problems: ParseProblem[],
): { head: StatementHead; closing: { minor: number | null; on: string | null } } | null {
  const account = accountId(at(report, 'Acct'));
  const currency =
    text(at(report, 'Acct', 'Ccy')) ??
    String(at(report, 'Bal', 'Amt')?.['@Ccy'] ?? at(report, 'Ntry', 'Amt')?.['@Ccy'] ?? '');
  if (currencyExponent(currency) === null) {
    problems.push(
      problem(null, 'IMPORT_CURRENCY_INVALID', `the account's currency "${currency}" is not an ISO 4217 code`),
    );
    return null;
  }
  const balance = (codes: string[]) => {
    const found = list(report.Bal).find((b: Xml) => codes.includes(text(at(b, 'Tp', 'CdOrPrtry', 'Cd')) ?? ''));
    if (!found) return { minor: null, on: null };
    const money = signedAmount(found.Amt, text(found.CdtDbtInd));
    const kind = text(at(found, 'Tp', 'CdOrPrtry', 'Cd'));
    if (money === null || money.currency !== currency) {
      problems.push(
        problem(
          null,
          'IMPORT_AMOUNT_INVALID',
          `balance ${kind} is not an amount in the account's currency ${currency}`,
        ),
      );
      return { minor: null, on: null };
    }
    return { minor: money.minor, on: day(found.Dt) };
  };
  const opening = balance(['OPBD', 'PRCD']);
  const closing = balance(['CLBD']);
  return {
    head: {
      format,
      account,
      currency,
      openingBalanceMinor: opening.minor,
      openingOn: opening.on,
      closingBalanceMinor: closing.minor,
      closingOn: closing.on,
    },
    closing,
  };
}

function readEntry(ntry: Xml, line: number, problems: ParseProblem[]): StatementEntry[] {
  // v2-v6 write <Sts>BOOK</Sts>, v8 on <Sts><Cd>BOOK</Cd></Sts>; an absent status counts as booked.
  const status = text(ntry.Sts) ?? text(at(ntry, 'Sts', 'Cd')) ?? 'BOOK';
  if (status !== 'BOOK') {
    problems.push(problem(line, 'IMPORT_ENTRY_NOT_BOOKED', `entry with status ${status} is not booked yet`));
    return [];
  }
  const indicator = text(ntry.CdtDbtInd);
  const amount = signedAmount(ntry.Amt, indicator);
  if (amount === null) {
    const code = ntry.Amt === undefined || indicator === null ? 'IMPORT_ENTRY_INVALID' : 'IMPORT_AMOUNT_INVALID';
    problems.push(problem(line, code, `Amt "${text(ntry.Amt) ?? ''}" with CdtDbtInd "${indicator ?? ''}"`));
    return [];
  }
  const bookedOn = day(ntry.BookgDt) ?? day(ntry.ValDt);
  if (bookedOn === null) {
    problems.push(problem(line, 'IMPORT_DATE_INVALID', 'the entry has no readable BookgDt'));
    return [];
  }
  const base = { line, bookedOn, valueOn: day(ntry.ValDt), currency: amount.currency };
  const ntryRef = text(ntry.AcctSvcrRef);
  const details: Xml[] = list(ntry.NtryDtls).flatMap((d: Xml) => list(d.TxDtls));
  const direction = amount.minor < 0 ? 'DBIT' : 'CRDT';

  const split = details.length > 1 ? splitAmounts(details, amount, direction) : null;
  if (split) {
    return split.map((money, i) => ({
      ...base,
      ...describe(details[i], money.minor < 0 ? 'DBIT' : 'CRDT'),
      amountMinor: money.minor,
      bankReference: txReference(details[i]) ?? (ntryRef ? `${ntryRef}/${i + 1}` : null),
    }));
  }
  const described = details.map((tx) => describe(tx, direction));
  const parties = new Set(described.map((d) => d.counterparty));
  const texts = [...new Set(described.map((d) => d.text).filter((t) => t !== null))];
  return [
    {
      ...base,
      amountMinor: amount.minor,
      counterparty: parties.size === 1 ? (described[0]?.counterparty ?? null) : null,
      counterpartyAccount: parties.size === 1 ? (described[0]?.counterpartyAccount ?? null) : null,
      text: texts.length > 0 ? texts.join('; ') : text(ntry.AddtlNtryInf),
      bankReference: ntryRef ?? (details.length === 1 ? txReference(details[0]) : null),
    },
  ];
}

/** The TxDtls amounts of a batch, when each has one in the entry's currency and they add up to it. */
function splitAmounts(details: Xml[], entry: Money, direction: string): Money[] | null {
  const amounts: Money[] = [];
  for (const tx of details) {
    const amt = tx.Amt ?? at(tx, 'AmtDtls', 'TxAmt', 'Amt');
    const money = amt === undefined ? null : signedAmount(amt, text(tx.CdtDbtInd) ?? direction);
    if (money === null || money.currency !== entry.currency) return null;
    amounts.push(money);
  }
  return amounts.reduce((sum, m) => sum + m.minor, 0) === entry.minor ? amounts : null;
}

/** Who was paid or paid, and why: a credit's debtor, a debit's creditor, and the remittance. */
function describe(tx: Xml, direction: string) {
  const parties = at(tx, 'RltdPties');
  const role = direction === 'CRDT' ? 'Dbtr' : 'Cdtr';
  const party = at(parties, role);
  const ultimate = at(parties, `Ultmt${role}`);
  const counterparty =
    text(at(party, 'Nm')) ??
    text(at(party, 'Pty', 'Nm')) ??
    text(at(ultimate, 'Nm')) ??
    text(at(ultimate, 'Pty', 'Nm'));
  const remittance = at(tx, 'RmtInf');
  const parts = [
    ...list(remittance?.Ustrd).map(text),
    ...list(remittance?.Strd).flatMap((s: Xml) => [
      ...list(s.CdtrRefInf).map((r: Xml) => text(r.Ref)),
      ...list(s.AddtlRmtInf).map(text),
    ]),
  ].filter((p): p is string => p !== null);
  return {
    counterparty,
    counterpartyAccount: accountId(at(parties, `${role}Acct`)),
    text: parts.length > 0 ? [...new Set(parts)].join(' ') : text(tx.AddtlTxInf),
  };
}

/** The bank's reference for one transaction: AcctSvcrRef, else an EndToEndId that says something. */
function txReference(tx: Xml): string | null {
  const endToEnd = text(at(tx, 'Refs', 'EndToEndId'));
  return text(at(tx, 'Refs', 'AcctSvcrRef')) ?? (endToEnd && endToEnd !== 'NOTPROVIDED' ? endToEnd : null);
}
