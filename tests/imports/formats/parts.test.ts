import {
  type ParseProblem,
  parseStatement,
  problemOrder,
  type StatementEntry,
  type StructuredFormat,
  type StructuredPosition,
  structuredReaders,
} from '@westwallet/shared/imports';
import { describe, expect, it } from 'vitest';
import { fixture } from './fixtures.ts';
import { camt053, mt940, ofx, qif } from './generated.ts';

/**
 * The structured formats read a part at a time (packages/shared/src/imports/statement-parts.ts),
 * each part from a byte offset at an entry's start to one at most `maxBytes` further, with the
 * position passed through JSON as a job's checkpoint keeps it: the entries, their lines, the
 * problems and the statement are those of the file read whole.
 */
const options = { currency: 'SEK', currencyExponent: 2 };

function readInParts(format: StructuredFormat, bytes: Uint8Array, maxBytes: number) {
  const reader = structuredReaders[format];
  const started = reader.start(bytes, options);
  if ('refusal' in started) throw new Error(JSON.stringify(started.refusal));
  let position: StructuredPosition = started;
  const entries: StatementEntry[] = [];
  let problems: ParseProblem[] = [];
  const advances: number[] = [];
  for (;;) {
    const part = reader.part(bytes, position, maxBytes, options);
    if ('refusal' in part) throw new Error(JSON.stringify(part.refusal));
    // A pass that starts again from the file's start (QIF's second) has read to the file's end.
    const to = part.position.offset < position.offset ? bytes.length : part.position.offset;
    advances.push(to - position.offset);
    entries.push(...part.entries);
    problems = [...problems, ...part.problems].sort(problemOrder);
    position = JSON.parse(JSON.stringify(part.position));
    if (part.done) break;
  }
  const ends = reader.finish(position);
  if ('refusal' in ends) throw new Error(JSON.stringify(ends.refusal));
  problems = [...problems, ...ends.problems].sort(problemOrder);
  return { statement: { ...ends.statement, entries }, problems, advances, from: started.offset };
}

describe('structured statements read in parts', () => {
  const generated: [StructuredFormat, Uint8Array, number, string[]][] = [
    [
      'camt.053',
      camt053(600),
      2048,
      ['IMPORT_OTHER_ACCOUNT', 'IMPORT_STATEMENT_UNBALANCED', 'IMPORT_AMOUNT_INVALID', 'IMPORT_ENTRY_NOT_BOOKED'],
    ],
    ['ofx', ofx(600), 1024, ['IMPORT_OTHER_ACCOUNT', 'IMPORT_AMOUNT_INVALID', 'IMPORT_DATE_INVALID']],
    ['mt940', mt940(600), 512, ['IMPORT_OTHER_ACCOUNT', 'IMPORT_STATEMENT_UNBALANCED', 'IMPORT_DATE_INVALID']],
    ['qif', qif(600), 512, ['IMPORT_OTHER_ACCOUNT', 'IMPORT_AMOUNT_INVALID', 'IMPORT_DATE_INVALID']],
  ];

  it.each(generated)('%s: parts of a bounded size give the statement read whole', (format, bytes, maxBytes, codes) => {
    const whole = parseStatement(bytes, { ...options, format });
    expect(whole.statement?.entries.length).toBeGreaterThan(300);
    // What the file holds on purpose: each kind of problem, a statement of another account.
    expect(new Set(whole.problems.map((p) => p.code))).toEqual(new Set(codes));
    const parts = readInParts(format, bytes, maxBytes);
    expect(parts.advances.length).toBeGreaterThan(100);
    // Each part reads at most `maxBytes` past its offset (the file's last part too).
    expect(Math.max(...parts.advances)).toBeLessThanOrEqual(maxBytes);
    // From the first entry's container (OFX: the <OFX> element after the header) to the file's end, once a pass.
    const passes = format === 'qif' ? 2 : 1;
    expect(parts.from + parts.advances.reduce((a, b) => a + b, 0)).toBe(passes * bytes.length);
    expect(parts.statement).toEqual(whole.statement);
    expect(parts.problems).toEqual(whole.problems);
  });

  /** UTF-16 with a byte-order mark, as some Windows tools save text: parts are cut by code unit. */
  const utf16 = (bytes: Uint8Array, littleEndian: boolean) => {
    const text = new TextDecoder().decode(bytes);
    const out = new Uint8Array(2 + text.length * 2);
    const view = new DataView(out.buffer);
    view.setUint16(0, 0xfeff, littleEndian);
    for (let i = 0; i < text.length; i++) view.setUint16(2 + i * 2, text.charCodeAt(i), littleEndian);
    return out;
  };

  it.each([
    ['mt940', true],
    ['qif', false],
  ] as const)('%s in UTF-16 (little endian: %s): parts give the statement read whole', (format, littleEndian) => {
    const bytes = utf16(format === 'mt940' ? mt940(200) : qif(200), littleEndian);
    const whole = parseStatement(bytes, { ...options, format });
    expect(whole.statement?.entries.some((e) => e.counterparty?.includes('Ångström'))).toBe(true);
    const parts = readInParts(format, bytes, 1024);
    expect(parts.advances.length).toBeGreaterThan(20);
    expect(Math.max(...parts.advances)).toBeLessThanOrEqual(1024);
    expect(parts.statement).toEqual(whole.statement);
    expect(parts.problems).toEqual(whole.problems);
  });

  const fixtures: [StructuredFormat, string][] = [
    ['camt.053', 'camt/genkgo-camt053.v2.minimal.xml'],
    ['camt.053', 'camt/genkgo-camt053.v2.multi-statement.xml'],
    ['camt.053', 'camt/genkgo-camt053.v4.xml'],
    ['camt.053', 'camt/genkgo-camt053.v8.xml'],
    ['camt.054', 'camt/genkgo-camt054.v2.xml'],
    ['camt.053', 'camt/spec-camt053.v04-nordic-latin1.xml'],
    ['camt.054', 'camt/spec-camt054.v08-finnish.xml'],
    ['ofx', 'ofx/ofxparse-bank-medium.ofx'],
    ['ofx', 'ofx/ofxparse-checking.ofx'],
    ['ofx', 'ofx/spec-ofx160-sgml-cp1252.ofx'],
    ['ofx', 'ofx/spec-ofx220-xml-creditcard.qfx'],
    ['mt940', 'mt940/betterplace-sepa-mt9401.sta'],
    ['mt940', 'mt940/betterplace-two-pages.sta'],
    ['mt940', 'mt940/jejik-abnamro.sta'],
    ['mt940', 'mt940/spec-sparkasse-envelope-latin1.sta'],
    ['qif', 'qif/spec-quicken-bank-mdy.qif'],
  ];

  it.each(fixtures)('%s %s: a part an entry gives the statement read whole', (format, file) => {
    const bytes = fixture(file);
    const whole = parseStatement(bytes, { ...options, format });
    expect(whole.statement).not.toBeNull();
    const parts = readInParts(format, bytes, 1);
    expect(parts.advances.length).toBeGreaterThanOrEqual(new Set(whole.statement?.entries.map((e) => e.line)).size);
    expect(parts.statement).toEqual(whole.statement);
    expect(parts.problems).toEqual(whole.problems);
  });

  it('reads an OFX whose transactions lack their end tags (nested, so one of them a statement) as read whole', () => {
    const text = new TextDecoder().decode(ofx(200)).replaceAll('</STMTTRN>', '');
    const bytes = new TextEncoder().encode(text);
    const whole = parseStatement(bytes, { ...options, format: 'ofx' });
    expect(whole.statement?.entries).toHaveLength(2);
    const parts = readInParts('ofx', bytes, 1024);
    expect(parts.advances.length).toBeGreaterThan(20);
    expect(parts.statement).toEqual(whole.statement);
    expect(parts.problems).toEqual(whole.problems);
  });

  it('finds a malformed element in a later part on its line, as read whole', () => {
    const text = new TextDecoder().decode(camt053(300));
    const at = text.indexOf('<Ntry>', text.length / 2);
    const broken = new TextEncoder().encode(`${text.slice(0, at)}<Ntry></Nrty>${text.slice(at + 6)}`);
    const whole = parseStatement(broken, { ...options, format: 'camt.053' });
    expect(whole.problems).toEqual([
      { line: text.slice(0, at).split('\n').length, code: 'IMPORT_FILE_MALFORMED', message: expect.any(String) },
    ]);
    expect(() => readInParts('camt.053', broken, 2048)).toThrow(JSON.stringify(whole.problems[0]));
  });
});
