import { describe, expect, it } from 'vitest';
import { parseMt940 } from '../../../packages/shared/src/imports/mt940.ts';
import { editFixture, entry, fixture } from './fixtures.ts';

describe('SWIFT MT940', () => {
  it('reads a German savings bank file in its envelope, Latin-1, over two pages and New Year', () => {
    const { statement, problems } = parseMt940(fixture('mt940/spec-sparkasse-envelope-latin1.sta'));
    expect(problems).toEqual([]);
    expect(statement).toEqual({
      format: 'mt940',
      account: 'DE89370400440532013000',
      currency: 'EUR',
      openingBalanceMinor: 152000,
      openingOn: '2025-12-30',
      closingBalanceMinor: 400450,
      closingOn: '2026-01-02',
      entries: [
        // ?20-?29 joined across wrapped lines; SVWZ+ is the text, ?31 the IBAN, ?32/?33 the name.
        entry({
          line: 6,
          bookedOn: '2026-01-02',
          valueOn: '2025-12-31',
          amountMinor: -4290,
          currency: 'EUR',
          counterparty: 'Stadtwerke Münster GmbH',
          counterpartyAccount: 'DE02400501500000012345',
          text: 'Stadtwerke Muenster Abschlag Strom Dezember',
          bankReference: '2512310001',
        }),
        // Unstructured :86: over two lines; no bank reference after //.
        entry({
          line: 11,
          bookedOn: '2025-12-31',
          valueOn: '2025-12-31',
          amountMinor: -1250,
          currency: 'EUR',
          text: 'Kontofuehrungsgebuehr Dezember 2025 Abschluss per 31.12.2025',
        }),
        entry({
          line: 21,
          bookedOn: '2026-01-02',
          valueOn: '2026-01-02',
          amountMinor: 250000,
          currency: 'EUR',
          counterparty: 'Muster GmbH & Co. KG',
          counterpartyAccount: 'DE12500105170648489890',
          text: 'Gehalt Januar 2026',
          bankReference: '2601020007',
        }),
        // RD, the reversal of a debit, puts money back; /NAME/ /IBAN/ /REMI/ subfields.
        entry({
          line: 25,
          bookedOn: '2026-01-02',
          valueOn: '2026-01-02',
          amountMinor: 4290,
          currency: 'EUR',
          counterparty: 'Stadtwerke Muenster GmbH',
          counterpartyAccount: 'DE02400501500000012345',
          text: 'Rueckbuchung Lastschrift 4711-2025-12',
          bankReference: '2601020011',
        }),
        entry({ line: 28, bookedOn: '2026-01-02', valueOn: '2026-01-02', amountMinor: -300, currency: 'EUR' }),
      ],
    });
  });

  it('reads a bank SEPA test file: pages of one account joined (betterplace sample)', () => {
    const { statement, problems } = parseMt940(fixture('mt940/betterplace-two-pages.sta'));
    expect(problems).toEqual([]);
    expect(statement?.account).toBe('50880050/0194781300888');
    expect(statement?.openingBalanceMinor).toBe(-4043220);
    expect(statement?.closingBalanceMinor).toBe(-10085445);
    expect(statement?.entries).toHaveLength(8);
    expect(statement?.entries[0]).toEqual(
      entry({
        line: 5,
        bookedOn: '2007-09-04',
        valueOn: '2007-09-04',
        amountMinor: 1999005,
        currency: 'EUR',
        counterparty: 'JOSEF JAEGER',
        counterpartyAccount: 'DE95508800500194784900',
        text: 'Verwend CTSc-01 PPP TFNr 22 001MTLG:SEPA-Ueberweisungseingang Auftraggeber: JOSEF',
        bankReference: '0724710333377198',
      }),
    );
    expect(statement?.entries.map((e) => [e.line, e.amountMinor, e.bankReference])).toEqual([
      [5, 1999005, '0724710333377198'],
      [10, -5734, '0724710352996674'],
      [17, -500217, '0724710353006393'],
      [23, -500217, '0724710352998444'],
      [36, -500217, '0724710353002818'],
      [43, -500217, '0724710353000284'],
      [50, -500217, '0724710353004695'],
      [57, -5534411, '0724710353008994'],
    ]);
  });

  it('reads the first account of a multi-account file and names every other statement', () => {
    const { statement, problems } = parseMt940(fixture('mt940/betterplace-sepa-mt9401.sta'));
    expect(statement?.account).toBe('50880050/0194774600888');
    expect(statement?.entries.map((e) => e.amountMinor)).toEqual([
      30000, 33533, 1500000, 6629508, 91531155, -20488, -99994695,
    ]);
    // RC, the reversal of a credit, takes money out.
    expect(statement?.entries[5]).toMatchObject({ line: 19, text: '0904059003', bankReference: null });
    expect(problems.every((p) => p.code === 'IMPORT_OTHER_ACCOUNT')).toBe(true);
    expect(problems.map((p) => p.line)).toEqual([
      expect.any(Number),
      ...Array.from({ length: problems.length - 1 }, () => expect.any(Number)),
    ]);
    expect(problems[0]?.line).toBe(26);
    expect(problems.length).toBeGreaterThan(8);
  });

  it("skips a bank's header lines before each statement and reports balances that do not add up (ABN AMRO sample)", () => {
    const { statement, problems } = parseMt940(fixture('mt940/jejik-abnamro.sta'));
    expect(statement?.account).toBe('517852257');
    expect(statement?.openingBalanceMinor).toBe(323628);
    expect(statement?.closingBalanceMinor).toBe(184975);
    expect(statement?.closingOn).toBe('2011-05-24');
    expect(statement?.entries).toHaveLength(10);
    // Free-text :86: over three lines, joined with blanks.
    expect(statement?.entries[0]).toEqual(
      entry({
        line: 8,
        bookedOn: '2011-05-24',
        valueOn: '2011-05-24',
        amountMinor: -900,
        currency: 'EUR',
        text: 'GIRO 428428 KPN - DIGITENNE BETALINGSKENM. 000000042188659 5314606715 BETREFT FACTUUR D.D. 20-05-2011 INCL. 1,44 BTW',
      }),
    );
    expect(statement?.entries[1]).toMatchObject({
      line: 12,
      bookedOn: '2011-05-23',
      valueOn: '2011-05-21',
      amountMinor: -1159,
    });
    expect(statement?.entries[9]).toMatchObject({ line: 38, amountMinor: -1500, text: '52.89.39.882 MYCOM DEN HAAG' });
    // The published sample was anonymized by hand: neither page adds up, and both are named.
    expect(problems).toEqual([
      { line: 4, code: 'IMPORT_STATEMENT_UNBALANCED', message: expect.stringContaining('87684') },
      { line: 32, code: 'IMPORT_STATEMENT_UNBALANCED', message: expect.stringContaining('184975') },
    ]);
  });

  it('refuses a statement cut before its closing balance', () => {
    const text = new TextDecoder('latin1').decode(fixture('mt940/spec-sparkasse-envelope-latin1.sta'));
    const cut = Uint8Array.from(text.slice(0, text.indexOf(':62F:')), (c) => c.charCodeAt(0));
    const { statement, problems } = parseMt940(cut);
    expect(statement).toBeNull();
    expect(problems).toEqual([{ line: 17, code: 'IMPORT_FILE_TRUNCATED', message: expect.stringContaining(':62F:') }]);
  });

  it('reports a statement line it cannot read, and the balance gap it leaves', () => {
    const edited = editFixture('mt940/spec-sparkasse-envelope-latin1.sta', (t) =>
      t.replace(':61:260102CR2500,00NTRF', ':61:260102CR25O0,00NTRF'),
    );
    const { statement, problems } = parseMt940(edited);
    expect(statement?.entries.map((e) => e.line)).toEqual([6, 11, 25, 28]);
    // In line order: the statement (from its :20: on line 17) that no longer adds up, then the entry.
    expect(problems).toEqual([
      { line: 17, code: 'IMPORT_STATEMENT_UNBALANCED', message: expect.any(String) },
      { line: 21, code: 'IMPORT_ENTRY_INVALID', message: expect.stringContaining('25O0') },
    ]);
  });

  it('refuses a bad opening balance, a bad date and a file that is no MT940', () => {
    const badBalance = editFixture('mt940/spec-sparkasse-envelope-latin1.sta', (t) =>
      t.replace(':60F:C251230EUR1520,00', ':60F:C251230EU1520,00'),
    );
    expect(parseMt940(badBalance)).toEqual({
      statement: null,
      problems: [{ line: 5, code: 'IMPORT_FILE_MALFORMED', message: expect.stringContaining(':60F:') }],
    });
    const badDate = editFixture('mt940/spec-sparkasse-envelope-latin1.sta', (t) =>
      t.replace(':60F:C251230', ':60F:C251232'),
    );
    expect(parseMt940(badDate).problems.map((p) => [p.line, p.code])).toEqual([[5, 'IMPORT_DATE_INVALID']]);
    expect(parseMt940(fixture('ofx/ofxparse-bank-medium.ofx')).problems.map((p) => p.code)).toEqual([
      'IMPORT_FORMAT_MISMATCH',
    ]);
  });
});
