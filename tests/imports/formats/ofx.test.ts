import { describe, expect, it } from 'vitest';
import { parseOfx } from '../../../packages/shared/src/imports/ofx.ts';
import { bytes, editFixture, entry, fixture } from './fixtures.ts';

describe('OFX and QFX', () => {
  it('reads an OFX 1.0.2 SGML bank statement as a Canadian bank wrote it (ofxparse sample)', () => {
    const { statement, problems } = parseOfx(fixture('ofx/ofxparse-bank-medium.ofx'));
    expect(problems).toEqual([]);
    expect(statement).toEqual({
      format: 'ofx',
      account: '12300 000012345678',
      currency: 'CAD',
      openingBalanceMinor: null,
      openingOn: null,
      closingBalanceMinor: 38234,
      closingOn: '2009-05-23',
      entries: [
        entry({
          line: 15,
          bookedOn: '2009-04-01',
          amountMinor: -660,
          currency: 'CAD',
          counterparty: "MCDONALD'S #112",
          text: "POS MERCHANDISE;MCDONALD'S #112",
          bankReference: '0000123456782009040100001',
        }),
        entry({
          line: 16,
          bookedOn: '2009-04-02',
          amountMinor: -31667,
          currency: 'CAD',
          counterparty: "Joe's Bald Hairstyles",
          text: "MISCELLANEOUS PAYMENTS;Joe's Bald Hairstyles",
          bankReference: '0000123456782009040200004',
        }),
        entry({
          line: 17,
          bookedOn: '2009-04-03',
          amountMinor: -2200,
          currency: 'CAD',
          counterparty: "CONNIE'S HAIR D",
          text: "POS MERCHANDISE;CONNIE'S HAIR D",
          bankReference: '0000123456782009040300005',
        }),
      ],
    });
  });

  it('reads indented SGML with one tag a line (ofxparse checking sample)', () => {
    const { statement, problems } = parseOfx(fixture('ofx/ofxparse-checking.ofx'));
    expect(problems).toEqual([]);
    expect(statement?.account).toBe('1452687~7');
    expect(statement?.closingBalanceMinor).toBe(10099);
    expect(statement?.entries.map((e) => [e.line, e.bookedOn, e.amountMinor, e.bankReference])).toEqual([
      [46, '2011-03-31', 1, '0000486'],
      [54, '2011-04-05', -3451, '0000487'],
      [62, '2011-04-07', -2500, '0000488'],
    ]);
    expect(statement?.entries[2]?.text).toBe('RETURNED CHECK FEE, CHECK # 319 FOR $45.33 ON 04/07/11');
  });

  it('decodes the declared Windows-1252, reads the payee account, a foreign currency and entities', () => {
    const { statement, problems } = parseOfx(fixture('ofx/spec-ofx160-sgml-cp1252.ofx'));
    expect(statement?.account).toBe('8327-9 123 456 789-0');
    expect(statement?.currency).toBe('SEK');
    expect(statement?.closingBalanceMinor).toBe(1025050);
    expect(statement?.closingOn).toBe('2026-01-05');
    expect(statement?.entries).toEqual([
      entry({
        line: 39,
        bookedOn: '2026-01-02',
        amountMinor: -24950,
        currency: 'SEK',
        counterparty: 'ICA Nära Källhagen',
        text: 'Kortköp 260101',
        bankReference: 'SWB2026010200001',
      }),
      entry({
        line: 48,
        bookedOn: '2026-01-03',
        valueOn: '2026-01-03',
        amountMinor: 150000,
        currency: 'SEK',
        counterparty: 'Åsa Öberg',
        counterpartyAccount: '6000-123456789',
        text: 'Hyra januari & el',
        bankReference: 'SWB2026010300002',
      }),
      entry({
        line: 62,
        bookedOn: '2026-01-04',
        amountMinor: -1200,
        currency: 'EUR',
        counterparty: 'Spotify AB',
        bankReference: 'SWB2026010400003',
      }),
    ]);
    // February 31st is reported on its line and left out; the rest of the file is read.
    expect(problems).toEqual([{ line: 73, code: 'IMPORT_DATE_INVALID', message: expect.stringContaining('20260231') }]);
  });

  it('reads an OFX 2.2 XML credit card statement (QFX) with a PAYEE aggregate', () => {
    const { statement, problems } = parseOfx(fixture('ofx/spec-ofx220-xml-creditcard.qfx'));
    expect(problems).toEqual([]);
    expect(statement).toEqual({
      format: 'ofx',
      account: '4111111111111111',
      currency: 'USD',
      openingBalanceMinor: null,
      openingOn: null,
      closingBalanceMinor: -73456,
      closingOn: '2026-01-31',
      entries: [
        entry({
          line: 23,
          bookedOn: '2026-01-15',
          amountMinor: -123456,
          currency: 'USD',
          counterparty: 'Bed & Breakfast <Boston>',
          text: 'Two nights',
          bankReference: '2026011524692160000000001',
        }),
        entry({
          line: 39,
          bookedOn: '2026-01-20',
          amountMinor: 50000,
          currency: 'USD',
          counterparty: 'PAYMENT THANK YOU',
          bankReference: '2026012024692160000000002',
        }),
      ],
    });
  });

  it('refuses a file cut short, naming where it ends', () => {
    const whole = fixture('ofx/spec-ofx220-xml-creditcard.qfx');
    const { statement, problems } = parseOfx(whole.subarray(0, 1500));
    expect(statement).toBeNull();
    expect(problems).toEqual([
      { line: expect.any(Number), code: 'IMPORT_FILE_TRUNCATED', message: expect.any(String) },
    ]);
    expect(problems[0]?.line).toBeGreaterThan(20);
  });

  it('refuses an end tag that closes nothing, with its line', () => {
    const broken = editFixture('ofx/ofxparse-checking.ofx', (t) => t.replace('</BANKACCTFROM>', '</BANKACCTFRM>'));
    const { statement, problems } = parseOfx(broken);
    expect(statement).toBeNull();
    expect(problems).toEqual([
      { line: 42, code: 'IMPORT_FILE_MALFORMED', message: expect.stringContaining('BANKACCTFRM') },
    ]);
  });

  it('reports an amount its currency cannot have on its line and keeps the other entries', () => {
    const edited = editFixture('ofx/ofxparse-bank-medium.ofx', (t) => t.replace('<TRNAMT>-316.67', '<TRNAMT>-316.675'));
    const { statement, problems } = parseOfx(edited);
    expect(problems).toEqual([
      { line: 16, code: 'IMPORT_AMOUNT_INVALID', message: expect.stringContaining('-316.675') },
    ]);
    expect(statement?.entries.map((e) => e.amountMinor)).toEqual([-660, -2200]);
  });

  it('refuses a charset it cannot decode and a file that is no OFX', () => {
    const cp437 = editFixture('ofx/ofxparse-bank-medium.ofx', (t) => t.replace('CHARSET:1252', 'CHARSET:437'));
    expect(parseOfx(cp437).problems.map((p) => p.code)).toEqual(['IMPORT_CHARSET_UNSUPPORTED']);
    const camt = parseOfx(fixture('camt/genkgo-camt053.v8.xml'));
    expect(camt).toEqual({ statement: null, problems: [expect.objectContaining({ code: 'IMPORT_FORMAT_MISMATCH' })] });
    const noStatement = parseOfx(bytes('OFXHEADER:100\nDATA:OFXSGML\n\n<OFX><SIGNONMSGSRSV1></SIGNONMSGSRSV1></OFX>'));
    expect(noStatement.statement).toBeNull();
    expect(noStatement.problems.map((p) => p.code)).toEqual(['IMPORT_FILE_MALFORMED']);
  });

  it('reads the first account of a file with two and names the other', () => {
    const two = editFixture('ofx/ofxparse-bank-medium.ofx', (t) =>
      t.replace(
        '</STMTTRNRS>',
        '</STMTTRNRS><STMTTRNRS><TRNUID>2<STMTRS><CURDEF>CAD<BANKACCTFROM><BANKID>1<ACCTID>999<ACCTTYPE>SAVINGS</BANKACCTFROM><BANKTRANLIST><STMTTRN><DTPOSTED>20090401<TRNAMT>5.00<FITID>X1</STMTTRN></BANKTRANLIST></STMTRS></STMTTRNRS>',
      ),
    );
    const { statement, problems } = parseOfx(two);
    expect(statement?.account).toBe('12300 000012345678');
    expect(statement?.entries).toHaveLength(3);
    expect(problems).toEqual([{ line: 18, code: 'IMPORT_OTHER_ACCOUNT', message: expect.stringContaining('999') }]);
  });
});
