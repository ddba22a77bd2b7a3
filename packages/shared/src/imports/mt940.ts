/**
 * SWIFT MT940 customer statements into one Statement, with or without the SWIFT envelope
 * ({1:...}{2:...}{4: ... -}), one or several statements (pages, days) per file.
 * Fields: :20: starts a statement, :25: account (IBAN, or BLZ/account), :28C: number,
 * :60F:/:60M: opening, :61: entry, :86: its details, :62F:/:62M: closing; :64:, :65: and others
 * are passed over. A field runs until the next line that starts with `:NN[A-Z]:` or `-`.
 * :61: is value date YYMMDD, optional entry date MMDD, D/C/RD/RC, optional funds code, amount
 * with a decimal comma, N/F/S + type code, customer reference, `//` bank reference.
 * :86: is read as the German ZKA structure when it starts with a 3-digit code and `?` (?00 text,
 * ?20-?29 and ?60-?63 purpose, ?30 bank code/BIC, ?31 account/IBAN, ?32-?33 name; SEPA tags in the
 * purpose, so SVWZ+ is the text), as SWIFT-style `/CODE/value` subfields (/NAME/, /REMI/,
 * /IBAN/, /CNTP/), or else as free text. Encoding: UTF-8 when valid, else Windows-1252.
 * The file is read in parts that start at a :61: or :20: line (statement-parts.ts).
 */
import { cleanText, currencyExponent, decimalToMinor, isoDay, problem } from './bank-values.ts';
import { undeclaredEncoding } from './decode-text.ts';
import type { ParseProblem, ParseResult, StatementEntry } from './statement.ts';
import {
  closeStatement,
  countEntry,
  lastLineStart,
  newStatements,
  openStatement,
  partEnd,
  type Refusal,
  readWhole,
  type Statements,
  type StructuredReader,
} from './statement-parts.ts';

interface Field {
  tag: string;
  line: number;
  value: string;
}

interface Balance {
  minor: number;
  on: string;
  currency: string;
}

/** The statement being read (from its :20:), as far as its fields have come. */
interface Page {
  line: number;
  account: string | null;
  currency: string;
  exponent: number;
  openingBalanceMinor: number | null;
  openingOn: string | null;
  closing: { minor: number | null; on: string | null };
  closed: boolean;
  /** Joined to the file's statements (at its first entry, or its end). */
  joined: boolean;
}

/**
 * What one part hands the next (JSON). A part starts at a line that starts a :61: entry or a
 * :20: statement, so no field is open there: only the statement's header fields are carried.
 */
interface Mt940Carry {
  encoding: string;
  /** Lines before the part. */
  line: number;
  /** After a `-` and before the next field: lines there are a bank's headers, not a field's. */
  betweenStatements: boolean;
  page: Page | null;
  statements: Statements;
}

export function parseMt940(bytes: Uint8Array): ParseResult {
  return readWhole(mt940Reader, bytes, {});
}

/** MT940 in parts, each starting at a :61: or :20: line. */
export const mt940Reader: StructuredReader = {
  start(bytes) {
    const encoding = undeclaredEncoding(bytes);
    const head = new TextDecoder(encoding).decode(bytes.subarray(0, 1 << 16));
    if (!/(^|\{4:):20:/m.test(head) || !/^:(60[FM]|61):/m.test(head)) {
      return refuse(null, 'IMPORT_FORMAT_MISMATCH', 'not an MT940 statement: no :20: and :60F: or :61: fields');
    }
    const carry: Mt940Carry = { encoding, line: 0, betweenStatements: true, page: null, statements: newStatements() };
    return { offset: 0, carry };
  },

  part(bytes, position, maxBytes) {
    const carry = structuredClone(position.carry) as Mt940Carry;
    const end = partEnd(bytes, position.offset, maxBytes, (window) =>
      lastLineStart(window, carry.encoding, startsEntry),
    );
    const last = end === bytes.length;
    const lines = new TextDecoder(carry.encoding).decode(bytes.subarray(position.offset, end)).split(/\r\n|\r|\n/);
    // A part other than the last ends with a line break: what follows it is the next part's.
    if (!last) lines.pop();
    const entries: StatementEntry[] = [];
    const problems: ParseProblem[] = [];
    let lastEntry: StatementEntry | null = null;

    const join = (page: Page) => {
      if (page.joined) return;
      page.joined = true;
      openStatement(carry.statements, page.line, {
        format: 'mt940',
        account: page.account,
        currency: page.currency,
        openingBalanceMinor: page.openingBalanceMinor,
        openingOn: page.openingOn,
        closingBalanceMinor: null,
        closingOn: null,
      });
    };
    /** The statement read so far ends (at the next :20: or the file's end): it must have its closing balance. */
    const close = (): Refusal | null => {
      const page = carry.page;
      if (!page) return null;
      if (!page.closed) {
        return refuse(page.line, 'IMPORT_FILE_TRUNCATED', 'the statement has no closing balance :62F:/:62M:');
      }
      join(page);
      closeStatement(carry.statements, page.closing, problems);
      return null;
    };
    const take = (field: Field): Refusal | null => {
      if (field.tag === '20') {
        const refused = close();
        if (refused) return refused;
        carry.page = {
          line: field.line,
          account: null,
          currency: '',
          exponent: 2,
          openingBalanceMinor: null,
          openingOn: null,
          closing: { minor: null, on: null },
          closed: false,
          joined: false,
        };
        lastEntry = null;
        return null;
      }
      const page = carry.page;
      if (!page) return refuse(field.line, 'IMPORT_FILE_MALFORMED', `:${field.tag}: before the first :20:`);
      switch (field.tag) {
        case '25':
          page.account = cleanText(field.value);
          break;
        case '60F':
        case '60M': {
          const balance = readBalance(field);
          if ('code' in balance) return { refusal: balance };
          page.currency = balance.currency;
          page.exponent = currencyExponent(balance.currency) ?? 2;
          page.openingBalanceMinor = balance.minor;
          page.openingOn = balance.on;
          break;
        }
        case '61':
          join(page);
          lastEntry = readEntry(field, page.currency, page.exponent, problems);
          if (lastEntry) {
            countEntry(carry.statements, lastEntry);
            if (carry.statements.open?.own) entries.push(lastEntry);
          }
          break;
        case '86':
          if (lastEntry) Object.assign(lastEntry, readDetails(field.value));
          lastEntry = null;
          break;
        case '62F':
        case '62M': {
          const balance = readBalance(field);
          if ('code' in balance) return { refusal: balance };
          page.closing = { minor: balance.minor, on: balance.on };
          page.closed = true;
          break;
        }
        default:
          lastEntry = null; // :28C:, :64:, :65:, bank-specific fields
      }
      return null;
    };

    // A field runs until the next line that starts with `:NN[A-Z]:` or `-`. Envelope blocks and
    // `-` separators are dropped, and so are the lines before the first field and between a `-`
    // and the next field: banks' own headers (ABN AMRO writes `ABNANL2A`, `940`, `ABNANL2A`).
    let field: Field | null = null;
    for (let i = 0; i < lines.length; i++) {
      let raw = lines[i] ?? '';
      // The SWIFT envelope: basic/application headers before block 4, trailer blocks after it.
      if (raw.startsWith('{')) {
        const body = raw.indexOf('{4:');
        if (body === -1) continue;
        raw = raw.slice(body + 3);
      }
      if (/^-(\}.*)?\s*$/.test(raw)) {
        carry.betweenStatements = true;
        continue;
      }
      if (raw.trim() === '') continue;
      const match = /^:(\d{2}[A-Z]?):(.*)$/.exec(raw);
      if (match?.[1]) {
        const refused = field ? take(field) : null;
        if (refused) return refused;
        field = { tag: match[1], line: carry.line + i + 1, value: match[2] ?? '' };
        carry.betweenStatements = false;
        continue;
      }
      if (field && !carry.betweenStatements) field.value += `\n${raw}`;
    }
    // The part's last field ends here: the next part starts with a field.
    const refused = (field ? take(field) : null) ?? (last ? close() : null);
    if (refused) return refused;
    carry.line += lines.length;
    return { entries, problems, position: { offset: end, carry }, done: last, head: carry.statements.head };
  },

  finish(position) {
    const carry = position.carry as Mt940Carry;
    if (!carry.statements.head) return refuse(null, 'IMPORT_FILE_MALFORMED', 'the MT940 file holds no statement');
    return { statement: carry.statements.head, problems: [] };
  },
};

/** A part may start at a line that starts an entry or a statement. */
function startsEntry(text: string, at: number): boolean {
  return text.startsWith(':61:', at) || text.startsWith(':20:', at);
}

function refuse(line: number | null, code: string, message: string): Refusal {
  return { refusal: problem(line, code, message) };
}

/** YYMMDD with the SWIFT century window: 00-79 are 2000-2079, 80-99 are 1980-1999. */
function swiftDay(yymmdd: string): string | null {
  const yy = Number(yymmdd.slice(0, 2));
  return isoDay(yy < 80 ? 2000 + yy : 1900 + yy, Number(yymmdd.slice(2, 4)), Number(yymmdd.slice(4, 6)));
}

/** :60F:/:62F: as C/D, YYMMDD, currency, amount with a decimal comma; the problem that refuses the file if not. */
function readBalance(field: Field): Balance | ParseProblem {
  const match = /^([CD])(\d{6})([A-Z]{3})(\d+,\d*)\s*$/.exec(field.value.trim());
  const currency = match?.[3] ?? '';
  const exponent = currencyExponent(currency);
  const on = match?.[2] ? swiftDay(match[2]) : null;
  const minor = match?.[4] && exponent !== null ? decimalToMinor(match[4], exponent) : null;
  if (!match || exponent === null || on === null || minor === null) {
    const code = !match
      ? 'IMPORT_FILE_MALFORMED'
      : exponent === null
        ? 'IMPORT_CURRENCY_INVALID'
        : on === null
          ? 'IMPORT_DATE_INVALID'
          : 'IMPORT_AMOUNT_INVALID';
    return problem(field.line, code, `:${field.tag}: "${field.value.trim()}" is not a balance`);
  }
  return { minor: match[1] === 'D' ? -minor : minor, on, currency };
}

const entryLine = /^(\d{6})(\d{4})?(RC|RD|EC|ED|C|D)([A-Z])?(\d+,\d*)([NFS][A-Z0-9]{3})((?:(?!\/\/).)*)(?:\/\/(.*))?$/;

function readEntry(field: Field, currency: string, exponent: number, problems: ParseProblem[]): StatementEntry | null {
  // A wrapped :61: (seen from savings banks) is joined back; a second line is supplementary details.
  const [first = '', ...rest] = field.value.split('\n');
  let line = first.trim();
  let supplementary = rest.join(' ');
  if (!entryLine.test(line) && entryLine.test(`${line}${rest[0] ?? ''}`.trim())) {
    line = `${line}${rest[0] ?? ''}`.trim();
    supplementary = rest.slice(1).join(' ');
  }
  const match = entryLine.exec(line);
  if (!match) {
    problems.push(problem(field.line, 'IMPORT_ENTRY_INVALID', `:61: "${first}" is not a statement line`));
    return null;
  }
  const [, valueDate = '', entryDate, mark = '', , amountText = '', , , bankRef] = match;
  const valueOn = swiftDay(valueDate);
  const amount = decimalToMinor(amountText, exponent);
  if (valueOn === null) {
    problems.push(problem(field.line, 'IMPORT_DATE_INVALID', `:61: value date ${valueDate} is not a calendar day`));
    return null;
  }
  if (amount === null || currency === '') {
    problems.push(
      problem(
        field.line,
        'IMPORT_AMOUNT_INVALID',
        `:61: amount "${amountText}" ${currency ? `in ${currency}` : 'before any :60F:'}`,
      ),
    );
    return null;
  }
  const bookedOn = entryDate ? entryDay(valueOn, entryDate) : valueOn;
  if (bookedOn === null) {
    problems.push(problem(field.line, 'IMPORT_DATE_INVALID', `:61: entry date ${entryDate} is not a calendar day`));
    return null;
  }
  // D and RC (reversal of a credit) take money out; C and RD put it in.
  const out = mark === 'D' || mark === 'RC' || mark === 'ED';
  return {
    line: field.line,
    bookedOn,
    valueOn,
    amountMinor: out ? -amount : amount,
    currency,
    counterparty: null,
    counterpartyAccount: null,
    text: cleanText(supplementary),
    bankReference: cleanText(bankRef),
  };
}

/** The entry date's year is the value date's, or the next or previous one around New Year. */
function entryDay(valueOn: string, mmdd: string): string | null {
  const year = Number(valueOn.slice(0, 4));
  const month = Number(mmdd.slice(0, 2));
  const valueMonth = Number(valueOn.slice(5, 7));
  const shift = valueMonth === 12 && month === 1 ? 1 : valueMonth === 1 && month === 12 ? -1 : 0;
  return isoDay(year + shift, month, Number(mmdd.slice(2, 4)));
}

type Details = Pick<StatementEntry, 'counterparty' | 'counterpartyAccount' | 'text'>;

function readDetails(value: string): Details {
  // Lines are wrapped at 65 characters wherever the limit falls, so they join without a blank.
  const joined = value.split('\n').join('');
  const separator = /^\d{3}(\D)\d{2}/.exec(joined)?.[1];
  if (separator && !/[\w\s]/.test(separator)) return germanDetails(joined, separator);
  if (/^\/[A-Z]{2,4}\//.test(value.trim())) return slashDetails(joined);
  return { counterparty: null, counterpartyAccount: null, text: cleanText(value.split('\n').join(' ')) };
}

/** ZKA/DFÜ structure: GVC then ?NN subfields; the purpose holds SEPA tags (EREF+, SVWZ+ ...). */
function germanDetails(joined: string, separator: string): Details {
  const sub = new Map<string, string>();
  for (const part of joined.slice(3).split(separator)) {
    const key = part.slice(0, 2);
    if (!/^\d{2}$/.test(key)) continue;
    sub.set(key, (sub.get(key) ?? '') + part.slice(2));
  }
  const purposeKeys = ['20', '21', '22', '23', '24', '25', '26', '27', '28', '29', '60', '61', '62', '63'];
  const purpose = purposeKeys.map((k) => sub.get(k) ?? '').join('');
  const svwz = /SVWZ\+(.*?)(?=(?:EREF|KREF|MREF|CRED|DEBT|COAM|OAMT|SVWZ|ABWA|ABWE|IBAN|BIC)\+|$)/.exec(purpose)?.[1];
  const name = `${sub.get('32') ?? ''}${sub.get('33') ?? ''}`;
  return {
    counterparty: cleanText(name),
    counterpartyAccount: cleanText(sub.get('31')),
    text: cleanText(svwz ?? purpose) ?? cleanText(sub.get('00')),
  };
}

/** SWIFT-style subfields (ING, Rabobank, Nordea): /NAME/x/REMI/y, /CNTP/account/bic/name/city/. */
function slashDetails(joined: string): Details {
  const codes =
    'NAME|REMI|IBAN|CNTP|EREF|MARF|CSID|ORDP|BENM|ID|ADDR|PURP|RTRN|ACCW|BUSP|TRCD|ULTC|ULTD|SVCL|CDTRREF|CDTRREFTP|ISDT|PREF|BIC';
  const pattern = new RegExp(`/(${codes})/((?:(?!/(?:${codes})/).)*)`, 'g');
  const sub = new Map<string, string>();
  for (const m of joined.matchAll(pattern)) if (m[1] && !sub.has(m[1])) sub.set(m[1], m[2] ?? '');
  const cntp = (sub.get('CNTP') ?? '').split('/');
  const remi = sub.get('REMI') ?? '';
  // /REMI/USTD//text/ or /REMI/STRD/CUR/ref/ carry a type before the text.
  const remittance = remi.replace(/^(USTD|STRD)\/(CUR|ISO|[A-Z]*)?\/?/, '').replace(/\/$/, '');
  return {
    counterparty: cleanText(sub.get('NAME')?.replace(/\/$/, '')) ?? cleanText(cntp[2]),
    counterpartyAccount: cleanText(sub.get('IBAN')?.replace(/\/$/, '')) ?? cleanText(cntp[0]),
    text: cleanText(remittance),
  };
}
