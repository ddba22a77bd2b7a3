import { describe, expect, it } from 'vitest';
import { parseCamt } from '../../../packages/shared/src/imports/camt.ts';
import { editFixture, entry, fixture } from './fixtures.ts';

describe('ISO 20022 CAMT.053 and CAMT.054', () => {
  it('reads camt.053.001.02 with a structured creditor reference (genkgo/camt sample)', () => {
    const { statement, problems } = parseCamt(fixture('camt/genkgo-camt053.v2.minimal.xml'));
    expect(statement).toEqual({
      format: 'camt.053',
      account: 'NL26VAYB8060476890',
      currency: 'EUR',
      openingBalanceMinor: 1815,
      openingOn: '2014-12-30',
      closingBalanceMinor: null,
      closingOn: null,
      entries: [
        entry({
          line: 1,
          bookedOn: '2014-12-31',
          valueOn: '2015-01-02',
          amountMinor: 885,
          currency: 'EUR',
          counterparty: 'NAME NAME',
          counterpartyAccount: 'NL56AGDH9619008421',
          text: '4654654654654654',
        }),
      ],
    });
    // The sample's closing balance is in SEK on a EUR account: reported, not taken.
    expect(problems).toEqual([{ line: null, code: 'IMPORT_AMOUNT_INVALID', message: expect.stringContaining('CLBD') }]);
  });

  it('reads the same entry from .04 and from .08 (Sts/Cd, Pty/Nm, BookgDt/DtTm)', () => {
    for (const file of ['camt/genkgo-camt053.v4.xml', 'camt/genkgo-camt053.v8.xml']) {
      const { statement } = parseCamt(fixture(file));
      expect(statement?.entries).toEqual([
        entry({
          line: 1,
          bookedOn: '2014-12-31',
          valueOn: '2015-01-02',
          amountMinor: 885,
          currency: 'EUR',
          counterparty: 'NAME NAME',
          counterpartyAccount: 'NL56AGDH9619008421',
          text: '4654654654654654',
          bankReference: 'AAAASESS-FP-CN_98765/01',
        }),
      ]);
    }
  });

  it('joins two Stmt of one account: opening from the first, closing from the last', () => {
    const { statement, problems } = parseCamt(fixture('camt/genkgo-camt053.v2.multi-statement.xml'));
    expect(problems).toEqual([]);
    expect(statement?.openingBalanceMinor).toBe(1815);
    expect(statement?.closingBalanceMinor).toBe(2000);
    expect(statement?.closingOn).toBe('2014-12-31');
    expect(statement?.entries.map((e) => [e.line, e.amountMinor, e.counterparty, e.text, e.bankReference])).toEqual([
      [1, 885, null, 'Transaction Description 1', '000000001'],
      [2, -700, 'Company Name 2', 'Transaction Description 2', '000000002'],
    ]);
  });

  it('keeps a batch whose details carry no amounts as one entry with all their texts (camt.054.001.02)', () => {
    const { statement, problems } = parseCamt(fixture('camt/genkgo-camt054.v2.xml'));
    expect(problems).toEqual([]);
    expect(statement?.format).toBe('camt.054');
    expect(statement?.account).toBe('CH2801234000123456789');
    expect(statement?.currency).toBe('SEK');
    expect(statement?.entries).toHaveLength(1);
    const batch = statement?.entries[0];
    expect(batch).toMatchObject({
      amountMinor: -20000000,
      currency: 'SEK',
      bookedOn: '2007-10-18',
      valueOn: '2007-10-18',
    });
    expect(batch?.bankReference).toBe('AAAASESS-FP-ACCR001');
    // A debit's counterparty is its creditor; the sample names only debtors.
    expect(batch?.counterparty).toBeNull();
    expect(batch?.text).toContain('Unstructured Remittance Information V1');
    expect(batch?.text).toContain('Ref number V3 block 2');
  });

  it('reads a Nordic camt.053.001.04 in its declared ISO-8859-1: OCR reference, split batch, pending entry', () => {
    const { statement, problems } = parseCamt(fixture('camt/spec-camt053.v04-nordic-latin1.xml'));
    expect(statement).toEqual({
      format: 'camt.053',
      account: 'SE4550000000058398257466',
      currency: 'SEK',
      openingBalanceMinor: 1250000,
      openingOn: '2026-01-02',
      closingBalanceMinor: 4103225,
      closingOn: '2026-01-09',
      entries: [
        entry({
          line: 1,
          bookedOn: '2026-01-05',
          valueOn: '2026-01-05',
          amountMinor: 3250000,
          currency: 'SEK',
          counterparty: 'Göteborgs Stad',
          counterpartyAccount: 'SE3550000000054910000003',
          text: 'LÖN JANUARI',
          bankReference: '2026010500012345',
        }),
        entry({
          line: 2,
          bookedOn: '2026-01-07',
          valueOn: '2026-01-08',
          amountMinor: -124575,
          currency: 'SEK',
          counterparty: 'Vattenfall AB',
          counterpartyAccount: '5050-1055',
          text: '4101234567891',
          bankReference: '2026010700023456',
        }),
        entry({
          line: 3,
          bookedOn: '2026-01-08',
          valueOn: '2026-01-08',
          amountMinor: -222200,
          currency: 'SEK',
          counterparty: 'Telia Sverige AB',
          counterpartyAccount: '5880-5040',
          text: '88776655443322',
          bankReference: '2026010800034567-1',
        }),
        entry({
          line: 3,
          bookedOn: '2026-01-08',
          valueOn: '2026-01-08',
          amountMinor: -50000,
          currency: 'SEK',
          counterparty: 'Röda Korset',
          text: 'Månadsgåva',
          bankReference: 'E2E-2',
        }),
      ],
    });
    expect(problems).toEqual([{ line: 4, code: 'IMPORT_ENTRY_NOT_BOOKED', message: expect.stringContaining('PDNG') }]);
  });

  it('reads a camt.054.001.08 notification: creditor reference, a reversal booked as a debit', () => {
    const { statement, problems } = parseCamt(fixture('camt/spec-camt054.v08-finnish.xml'));
    expect(problems).toEqual([]);
    expect(statement?.entries).toEqual([
      entry({
        line: 1,
        bookedOn: '2026-03-12',
        valueOn: '2026-03-12',
        amountMinor: 8990,
        currency: 'EUR',
        counterparty: 'Mikko Virtanen',
        counterpartyAccount: 'FI7944052020036082',
        text: 'RF18539007547034',
        bankReference: 'RF18539007547034',
      }),
      entry({
        line: 2,
        bookedOn: '2026-03-12',
        amountMinor: -1500,
        currency: 'EUR',
        counterparty: 'Väinö Mäkelä',
        text: 'Palautus: virheellinen maksu',
        bankReference: 'OP-REV-0042',
      }),
    ]);
  });

  it('does not split a batch whose details do not add up to the entry', () => {
    const edited = editFixture('camt/spec-camt053.v04-nordic-latin1.xml', (t) =>
      t.replace('<Amt Ccy="SEK">500.00</Amt>', '<Amt Ccy="SEK">400.00</Amt>'),
    );
    const batch = parseCamt(edited).statement?.entries.filter((e) => e.line === 3);
    expect(batch).toEqual([
      entry({
        line: 3,
        bookedOn: '2026-01-08',
        valueOn: '2026-01-08',
        amountMinor: -272200,
        currency: 'SEK',
        text: '88776655443322; Månadsgåva',
        bankReference: '2026010800034567',
      }),
    ]);
  });

  it('refuses a file cut short, malformed XML with its line, and other messages', () => {
    const whole = fixture('camt/spec-camt053.v04-nordic-latin1.xml');
    expect(parseCamt(whole.subarray(0, 3000))).toEqual({
      statement: null,
      problems: [{ line: 70, code: 'IMPORT_FILE_TRUNCATED', message: expect.any(String) }],
    });
    const broken = editFixture('camt/spec-camt053.v04-nordic-latin1.xml', (t) => t.replace('</Dbtr>', '</Dbtor>'));
    expect(parseCamt(broken)).toEqual({
      statement: null,
      problems: [{ line: 40, code: 'IMPORT_FILE_MALFORMED', message: 'unexpected close tag.' }],
    });
    const report = editFixture('camt/genkgo-camt053.v8.xml', (t) => t.replaceAll('camt.053.001.08', 'camt.052.001.08'));
    expect(parseCamt(report).problems.map((p) => p.code)).toEqual(['IMPORT_FORMAT_MISMATCH']);
    expect(parseCamt(fixture('ofx/ofxparse-bank-medium.ofx')).problems.map((p) => p.code)).toEqual([
      'IMPORT_FORMAT_MISMATCH',
    ]);
  });

  it('reports an unreadable amount on its entry, the gap it leaves, and a statement of another account', () => {
    const edited = editFixture('camt/genkgo-camt053.v2.multi-statement.xml', (t) =>
      t
        .replace('<Amt Ccy="EUR">8.85</Amt>', '<Amt Ccy="EUR">8,85</Amt>')
        .replace(/(<Stmt>[\s\S]*?<Stmt>[\s\S]*?)<IBAN>NL26VAYB8060476890/, '$1<IBAN>NL91ABNA0417164300'),
    );
    const { statement, problems } = parseCamt(edited);
    expect(statement?.entries).toEqual([]);
    expect(problems).toEqual([
      { line: 1, code: 'IMPORT_AMOUNT_INVALID', message: expect.stringContaining('8,85') },
      // Without the unreadable entry the first statement no longer adds up, and says so.
      { line: 1, code: 'IMPORT_STATEMENT_UNBALANCED', message: expect.stringContaining('2700') },
      { line: 2, code: 'IMPORT_OTHER_ACCOUNT', message: expect.stringContaining('NL91ABNA0417164300') },
    ]);
  });
});
