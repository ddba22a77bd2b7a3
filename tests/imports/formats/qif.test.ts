import { describe, expect, it } from 'vitest';
import { parseQif } from '../../../packages/shared/src/imports/qif.ts';
import { bytes, entry, fixture } from './fixtures.ts';

describe('QIF', () => {
  it("reads Quicken's bank export: account, opening balance, ' years, thousands, splits", () => {
    const { statement, problems } = parseQif(fixture('qif/spec-quicken-bank-mdy.qif'), { currency: 'USD' });
    expect(problems).toEqual([]);
    expect(statement).toEqual({
      format: 'qif',
      account: 'Checking',
      currency: 'USD',
      openingBalanceMinor: 250000,
      openingOn: '2025-12-31',
      closingBalanceMinor: null,
      closingOn: null,
      entries: [
        entry({
          line: 14,
          bookedOn: '2026-01-02',
          amountMinor: -123456,
          currency: 'USD',
          counterparty: 'Green Valley Realty',
          text: 'January rent',
        }),
        // The record's total, not its first split.
        entry({
          line: 21,
          bookedOn: '2026-01-05',
          amountMinor: -6418,
          currency: 'USD',
          counterparty: 'City Power & Light',
        }),
        entry({
          line: 32,
          bookedOn: '2026-01-15',
          amountMinor: 312000,
          currency: 'USD',
          counterparty: 'Acme Corp Payroll',
          text: 'Salary',
        }),
      ],
    });
  });

  it('refuses dates that read both ways, then reads them day first with decimal commas and Windows-1252', () => {
    const file = fixture('qif/spec-ccard-ambiguous-decimal-comma.qif');
    expect(parseQif(file, { currency: 'EUR' })).toEqual({
      statement: null,
      problems: [{ line: null, code: 'IMPORT_DATE_AMBIGUOUS', message: expect.stringContaining('3 dates') }],
    });
    const { statement, problems } = parseQif(file, { currency: 'EUR', dateOrder: 'DMY' });
    expect(problems).toEqual([]);
    expect(statement?.account).toBeNull();
    expect(statement?.entries).toEqual([
      entry({
        line: 2,
        bookedOn: '2026-01-03',
        amountMinor: -4590,
        currency: 'EUR',
        counterparty: 'Stöckmann Helsinki',
        text: 'Lahjat',
      }),
      entry({
        line: 7,
        bookedOn: '2026-01-05',
        amountMinor: -129900,
        currency: 'EUR',
        counterparty: 'Verkkokauppa.com',
      }),
      entry({
        line: 11,
        bookedOn: '2026-01-07',
        amountMinor: 12000,
        currency: 'EUR',
        counterparty: 'Palautus Zalando',
      }),
    ]);
  });

  it('settles the order from one date with a day over 12, and takes 2-digit years before 2000 with a slash', () => {
    const qif = '!Type:Cash\nD25/12/99\nT-10.00\n^\nD03/01/2000\nT-5\n^\n';
    const { statement } = parseQif(bytes(qif), { currency: 'SEK' });
    expect(statement?.entries.map((e) => [e.bookedOn, e.amountMinor])).toEqual([
      ['1999-12-25', -1000],
      ['2000-01-03', -500],
    ]);
  });

  it('refuses mixed orders and a file cut inside a record', () => {
    const mixed = parseQif(bytes('!Type:Bank\nD12/25/2025\nT1\n^\nD25/12/2025\nT1\n^\n'));
    expect(mixed.problems.map((p) => p.code)).toEqual(['IMPORT_DATE_AMBIGUOUS']);
    const cut = parseQif(bytes('!Type:Bank\nD12/25/2025\nT1\n^\nD12/26/2025\nT-4'));
    expect(cut).toEqual({
      statement: null,
      problems: [{ line: 5, code: 'IMPORT_FILE_TRUNCATED', message: expect.any(String) }],
    });
  });

  it('reports unreadable records on their line, keeps the rest, and names a second account', () => {
    const qif = [
      '!Account',
      'NEveryday',
      '^',
      '!Type:Bank',
      'D01/13/2026',
      'Tabc',
      '^',
      'D02/30/2026',
      'T-1.00',
      '^',
      'PNo date',
      'T-2.00',
      '^',
      'D01/14/2026',
      'T-3.00',
      '^',
      '!Account',
      'NSavings',
      '^',
      '!Type:Bank',
      'D01/15/2026',
      'T100.00',
      '^',
    ].join('\n');
    const { statement, problems } = parseQif(bytes(qif));
    expect(statement?.account).toBe('Everyday');
    // QIF names no currency: XXX, ISO 4217's "no currency", until the caller gives the account's.
    expect(statement?.currency).toBe('XXX');
    expect(statement?.entries).toEqual([
      entry({ line: 14, bookedOn: '2026-01-14', amountMinor: -300, currency: 'XXX' }),
    ]);
    expect(problems).toEqual([
      { line: 5, code: 'IMPORT_AMOUNT_INVALID', message: expect.stringContaining('abc') },
      { line: 8, code: 'IMPORT_DATE_INVALID', message: expect.stringContaining('02/30/2026') },
      { line: 11, code: 'IMPORT_ENTRY_INVALID', message: expect.any(String) },
      { line: 18, code: 'IMPORT_OTHER_ACCOUNT', message: expect.stringContaining('Savings') },
    ]);
  });

  it('refuses what has no bank records and a currency that is no ISO code', () => {
    expect(parseQif(bytes('!Type:Invst\nD1/2/2026\nNBuy\n^\n')).problems.map((p) => p.code)).toEqual([
      'IMPORT_FORMAT_MISMATCH',
    ]);
    expect(parseQif(fixture('qif/spec-quicken-bank-mdy.qif'), { currency: 'kr' }).problems.map((p) => p.code)).toEqual([
      'IMPORT_CURRENCY_INVALID',
    ]);
  });
});
