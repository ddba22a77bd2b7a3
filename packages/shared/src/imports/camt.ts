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
 * checks well-formedness with line numbers and reads 100,000 entries in seconds.
 */
import { SaxesParser } from 'saxes';
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
import type { ParseProblem, ParseResult, Statement, StatementEntry, StatementFormat } from './statement.ts';

// biome-ignore lint/suspicious/noExplicitAny: parsed XML is untyped until read through `at`.
type Xml = any;

/** Elements that may repeat, so they are always arrays in the tree. */
const repeated = new Set(['Stmt', 'Ntfctn', 'Bal', 'Ntry', 'NtryDtls', 'TxDtls', 'Ustrd', 'Strd', 'CdtrRefInf']);

interface Open {
  name: string;
  node: Record<string, Xml>;
  text: string;
}

/**
 * The document as plain objects: an element with neither attributes nor children is its text;
 * otherwise an object of its children by local name (namespace prefixes dropped), its attributes
 * as `@name` and its text as `#text`. A problem (with its line) if the XML is not well-formed.
 */
function readXml(text: string): Xml | ParseProblem {
  const parser = new SaxesParser({ position: true });
  const root: Open = { name: '#root', node: {}, text: '' };
  const stack: Open[] = [root];
  let failure: ParseProblem | null = null;
  parser.on('error', (error) => {
    failure ??= problem(parser.line, 'IMPORT_FILE_MALFORMED', error.message.replace(/^(?:[^:]*:)?\d+:\d+: /, ''));
  });
  parser.on('opentag', (tag) => {
    const node: Record<string, Xml> = {};
    for (const [name, value] of Object.entries(tag.attributes)) node[`@${localName(name)}`] = value;
    stack.push({ name: localName(tag.name), node, text: '' });
  });
  parser.on('text', (chunk) => {
    const top = stack[stack.length - 1];
    if (top) top.text += chunk;
  });
  parser.on('cdata', (chunk) => {
    const top = stack[stack.length - 1];
    if (top) top.text += chunk;
  });
  parser.on('closetag', () => {
    const done = stack.pop();
    const parent = stack[stack.length - 1];
    if (!done || !parent) return;
    const text = done.text.trim();
    let value: Xml = done.node;
    if (Object.keys(done.node).length === 0) value = text;
    else if (text !== '') done.node['#text'] = text;
    const existing = parent.node[done.name];
    if (repeated.has(done.name)) parent.node[done.name] = [...(existing ?? []), value];
    else if (existing === undefined) parent.node[done.name] = value;
    else parent.node[done.name] = [...list(existing), value];
  });
  try {
    parser.write(text).close();
  } catch {
    // saxes has called the error handler with the first error, which is the one reported.
  }
  return failure ?? root.node;
}

function localName(name: string): string {
  return name.slice(name.indexOf(':') + 1);
}

export function parseCamt(bytes: Uint8Array): ParseResult {
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
  if (Number(kind[2]) < 2) return refuse(null, 'IMPORT_FORMAT_MISMATCH', `camt.${kind[1]}.001.${kind[2]} is not read`);
  const format: StatementFormat = kind[1] === '053' ? 'camt.053' : 'camt.054';

  const encoding = /<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1] ?? 'utf-8';
  const decoded = decodeDeclared(bytes, encoding);
  if (!decoded.ok) return refuse(1, 'IMPORT_CHARSET_UNSUPPORTED', `cannot decode the declared encoding ${encoding}`);
  // A download cut short ends before the root's end tag; say so rather than which tag is unclosed.
  if (!/<\/(\w+:)?Document>\s*$/.test(decoded.text)) {
    const lines = decoded.text.split('\n').length;
    return refuse(lines, 'IMPORT_FILE_TRUNCATED', 'the file ends before </Document>: it was cut short');
  }
  const document = readXml(decoded.text);
  if ('code' in document) return { statement: null, problems: [document] };
  const message = document.Document;
  const reports: Xml[] =
    format === 'camt.053' ? at(message, 'BkToCstmrStmt', 'Stmt') : at(message, 'BkToCstmrDbtCdtNtfctn', 'Ntfctn');
  const problems: ParseProblem[] = [];
  const parts: StatementPart[] = [];
  let ordinal = 0;
  for (const report of list(reports)) {
    const firstOrdinal = ordinal + 1;
    const statement = readReport(report, format, () => ++ordinal, problems);
    if (statement) parts.push({ statement, line: firstOrdinal });
  }
  if (parts.length === 0) {
    problems.push(
      problem(
        null,
        'IMPORT_FILE_MALFORMED',
        `the ${format} message holds no ${format === 'camt.053' ? 'Stmt' : 'Ntfctn'}`,
      ),
    );
    return { statement: null, problems };
  }
  return { statement: combineStatements(parts, problems), problems };
}

function refuse(line: number | null, code: string, message: string): ParseResult {
  return { statement: null, problems: [problem(line, code, message)] };
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

function readReport(
  report: Xml,
  format: StatementFormat,
  nextOrdinal: () => number,
  problems: ParseProblem[],
): Statement | null {
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
  const entries: StatementEntry[] = [];
  for (const ntry of list(report.Ntry)) entries.push(...readEntry(ntry, nextOrdinal(), problems));
  return {
    format,
    account,
    currency,
    openingBalanceMinor: opening.minor,
    openingOn: opening.on,
    closingBalanceMinor: closing.minor,
    closingOn: closing.on,
    entries,
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
