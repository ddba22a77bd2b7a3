import { csvPresets, parseStatement } from '@westwallet/shared/imports';
import { describe, expect, it } from 'vitest';

/**
 * The CSV reader on the layouts the Nordic banks export (csv-presets.ts says where each comes
 * from), and on what makes bank CSVs hard: encodings, decimal commas, thousands separators,
 * debit and credit columns, preambles and summary lines. Each sample lists its expected entries.
 */

const utf8 = (text: string) => new TextEncoder().encode(text);
/** Windows-1252 bytes of `text` (its letters here are all in Latin-1, plus the en dash). */
const cp1252 = (text: string) => new Uint8Array([...text].map((c) => (c === '–' ? 0x96 : c.charCodeAt(0))));

function read(bytes: Uint8Array, currency = 'SEK', extra: Record<string, unknown> = {}) {
  const parsed = parseStatement(bytes, { currency, currencyExponent: currency === 'JPY' ? 0 : 2, ...extra });
  return {
    problems: parsed.problems.map((p) => [p.line, p.code]),
    preset: parsed.csv?.preset ?? null,
    entries: parsed.statement?.entries.map((e) => [e.line, e.bookedOn, e.amountMinor, e.counterparty, e.bankReference]),
    balances: parsed.statement && [parsed.statement.openingBalanceMinor, parsed.statement.closingBalanceMinor],
  };
}

describe('bank presets', () => {
  it('reads Nordea (newest first, a pending row, a BOM, balances)', () => {
    const csv = `\ufeffBokföringsdag;Belopp;Avsändare;Mottagare;Namn;Rubrik;Saldo;Valuta;
Reserverat;-89,00;;;Pressbyrån;Kortköp;;SEK;
2026/11/03;-125,50;;;ICA Nära;Kortköp 261102 ICA Nära;1 874,50;SEK;
2026/11/02;1 500,00;;;Swish Anna;Swish;2 000,00;SEK;
`;
    expect(read(utf8(csv))).toEqual({
      problems: [],
      preset: 'nordea',
      entries: [
        [3, '2026-11-03', -12550, 'ICA Nära', null],
        [4, '2026-11-02', 150000, 'Swish Anna', null],
      ],
      balances: [50000, 187450],
    });
  });

  it('reads Swedbank (Latin-1, a preamble line, decimal points, a total line)', () => {
    const csv = `* Transaktioner Period 2026-11-01 – 2026-11-30 Skapad 2026-12-01 10:02 CET
Radnummer,Clearingnummer,Kontonummer,Produkt,Valuta,Bokföringsdag,Transaktionsdag,Valutadag,Referens,Beskrivning,Belopp,Bokfört saldo
1,84525,222222222,Privatkonto,SEK,2026-11-30,2026-11-30,2026-11-30,PRIS NYCKELKUND,PRIS NYCKELKUND,-39.00,2554.18
2,84525,222222222,Privatkonto,SEK,2026-11-29,2026-11-28,2026-11-28,Swish Åsa,Swish Åsa,1300.00,2593.18
Summa,,,,,,,,,,1261.00,
`;
    expect(read(cp1252(csv))).toEqual({
      problems: [],
      preset: 'swedbank',
      entries: [
        [3, '2026-11-30', -3900, 'PRIS NYCKELKUND', null],
        [4, '2026-11-29', 130000, 'Swish Åsa', null],
      ],
      balances: [129318, 255418],
    });
  });

  it('reads SEB (verification numbers as references)', () => {
    const csv = `Bokföringsdatum;Valutadatum;Verifikationsnummer;Text/mottagare;Belopp;Saldo
2026-04-30;2026-04-30;5484381424;SYNSAM;-665,00;9260,12
2026-04-29;2026-04-29;5484381423;LÖN;32000,00;9925,12
`;
    expect(read(utf8(csv))).toMatchObject({
      preset: 'seb',
      entries: [
        [2, '2026-04-30', -66500, 'SYNSAM', '5484381424'],
        [3, '2026-04-29', 3200000, 'LÖN', '5484381423'],
      ],
    });
  });

  it('reads Handelsbanken', () => {
    const csv = `Reskontradatum;Transaktionsdatum;Text;Belopp;Saldo
2026-03-02;2026-03-01;Apotek Hjärtat;-249,00;12 751,00
`;
    expect(read(utf8(csv))).toMatchObject({
      preset: 'handelsbanken',
      entries: [[2, '2026-03-02', -24900, 'Apotek Hjärtat', null]],
    });
  });

  it('reads Danske Bank (DD.MM.YYYY, point thousands, Windows-1252)', () => {
    const csv = `"Dato";"Tekst";"Beløb";"Saldo";"Status";"Afstemt"
"02.01.2026";"Netto Østerbro";"-1.234,50";"10.765,50";"Udført";"Nej"
"03.01.2026";"Løn";"25.000,00";"35.765,50";"Udført";"Nej"
`;
    expect(read(cp1252(csv), 'DKK')).toEqual({
      problems: [],
      preset: 'danske',
      entries: [
        [2, '2026-01-02', -123450, 'Netto Østerbro', null],
        [3, '2026-01-03', 2500000, 'Løn', null],
      ],
      balances: [1200000, 3576550],
    });
  });

  it('reads DNB (money out and in in two columns)', () => {
    const csv = `Dato;Forklaring;Rentedato;Ut fra konto;Inn på konto
03.11.2026;Rema 1000 Grünerløkka;03.11.2026;312,40;
04.11.2026;Lønn;04.11.2026;;45000,00
`;
    expect(read(utf8(csv), 'NOK')).toMatchObject({
      preset: 'dnb',
      entries: [
        [2, '2026-11-03', -31240, 'Rema 1000 Grünerløkka', null],
        [3, '2026-11-04', 4500000, 'Lønn', null],
      ],
    });
  });

  it('reads SpareBank 1 (in before out)', () => {
    const csv = `Dato;Beskrivelse;Rentedato;Inn;Ut;Til konto;Fra konto
05.11.2026;Kiwi;05.11.2026;;89,90;;12345678901
`;
    expect(read(utf8(csv), 'NOK')).toMatchObject({
      preset: 'sparebank1',
      entries: [[2, '2026-11-05', -8990, 'Kiwi', null]],
    });
  });

  it('reads OP (archive ids as references)', () => {
    const csv = `Kirjauspäivä;Arvopäivä;Määrä EUROA;Laji;Selitys;Saaja/Maksaja;Saajan tilinumero ja pankin BIC;Viite;Viesti;Arkistointitunnus
01.08.2026;01.08.2026;-12,40;106;KORTTIOSTO;K-Market Kamppi;;;;20260801/593497/000123
`;
    expect(read(utf8(csv), 'EUR')).toMatchObject({
      preset: 'op',
      entries: [[2, '2026-08-01', -1240, 'K-Market Kamppi', '20260801/593497/000123']],
    });
  });

  it('has an id, a bank and a source for every preset, and reads a file with a preset named', () => {
    expect(csvPresets.map((p) => p.id)).toEqual([
      'nordea',
      'seb',
      'swedbank',
      'handelsbanken',
      'danske',
      'dnb',
      'sparebank1',
      'op',
    ]);
    for (const preset of csvPresets) expect(preset.source.length).toBeGreaterThan(40);
    const csv = 'Dato;Tekst;Beløb;Saldo\n02.01.2026;Netto;-10,00;90,00\n';
    expect(read(utf8(csv), 'DKK', { preset: 'danske' }).preset).toBe('danske');
    expect(read(utf8(csv), 'DKK', { preset: 'nope' }).problems).toEqual([[null, 'IMPORT_CSV_UNMAPPABLE']]);
  });
});

describe('CSV without a preset', () => {
  it('finds English headers, a comma delimiter with quoted commas, and comma thousands', () => {
    const csv =
      'Date,Description,Amount,Balance\n2026-01-05,"Coffee, large",-4.50,"1,995.50"\n2026-01-06,Refund,"1,000.00","2,995.50"\n';
    expect(read(utf8(csv), 'USD')).toEqual({
      problems: [],
      preset: null,
      entries: [
        [2, '2026-01-05', -450, 'Coffee, large', null],
        [3, '2026-01-06', 100000, 'Refund', null],
      ],
      balances: [200000, 299550],
    });
  });

  it('reads a file without a header by its values, with MM/DD/YYYY settled by a day above 12', () => {
    const csv = '12/31/2026\t-4.50\tStarbucks\n01/02/2027\t100.00\tRefund\n';
    expect(read(utf8(csv), 'USD').entries).toEqual([
      [1, '2026-12-31', -450, 'Starbucks', null],
      [2, '2027-01-02', 10000, 'Refund', null],
    ]);
  });

  it('reads amounts exactly into minor units: no floats, decimals beyond the currency refused', () => {
    const csv = (amounts: string[]) =>
      `Datum;Belopp;Text\n${amounts.map((a, i) => `2026-01-0${i + 1};${a};x`).join('\n')}\n`;
    expect(
      read(utf8(csv(['0,29', '-1 234 567,89', '1\u00a0000,10', '(5,00)', '7,00-']))).entries?.map((e) => e[2]),
    ).toEqual([29, -123456789, 100010, -500, -700]);
    const tooPrecise = read(utf8(csv(['1,005', '2,00'])));
    expect(tooPrecise.problems).toEqual([[2, 'IMPORT_AMOUNT_INVALID']]);
    expect(read(utf8('Datum;Belopp;Text\n2026-01-01;1500;x\n'), 'JPY').entries?.[0][2]).toBe(1500);
  });

  it('lets a member set what detection cannot know: whether 1.500 is a thousand and a half', () => {
    // Semicolons go with decimal commas, so the point is read as a thousands separator.
    const csv = 'Datum;Belopp;Text\n2026-01-01;1.500;Shop\n';
    expect(read(utf8(csv)).entries?.[0][2]).toBe(150000);
    const corrected = read(utf8(csv), 'SEK', { mapping: { decimalMark: '.', thousandsSeparator: '' } });
    expect(corrected.entries?.[0][2]).toBe(150);
  });
});
