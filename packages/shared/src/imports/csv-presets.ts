import type { CsvColumns, CsvMapping, DateFormat } from './csv-mapping.ts';

/**
 * The CSV exports of the big Nordic banks, recognised by their header row. Each was written from
 * the bank's export as its help pages and the open-source importers that read it describe it
 * (`source`); none was checked against a file downloaded today, and banks change their exports,
 * so a file that fits no preset still goes through the generic detector (csv-detect.ts), and a
 * member can correct any mapping and save it for the account.
 *
 * Headers are matched without regard to case; each role lists the header in every language the
 * bank's netbank writes it in.
 */
export interface CsvPreset {
  id: string;
  bank: string;
  source: string;
  delimiter: CsvMapping['delimiter'];
  decimalMark: CsvMapping['decimalMark'];
  thousandsSeparator: CsvMapping['thousandsSeparator'];
  dateFormat: DateFormat;
  headers: Partial<Record<keyof CsvColumns, string[]>>;
}

export const csvPresets: readonly CsvPreset[] = [
  {
    id: 'nordea',
    bank: 'Nordea (SE, FI, DK, NO), netbank since 2021',
    source:
      'Nordea netbank "Export transactions" (CSV); layout as read by the hledger CSV rules and open-source importers for Nordea FI/SE. Newest first; pending rows carry "Reserverat"/"Varaus"/"Reserveret"/"Reservert" instead of a date and are skipped.',
    delimiter: ';',
    decimalMark: ',',
    thousandsSeparator: '',
    dateFormat: 'YYYY/MM/DD',
    headers: {
      bookedOn: ['Bokföringsdag', 'Kirjauspäivä', 'Bogføringsdato', 'Bokføringsdato', 'Booking date'],
      amount: ['Belopp', 'Määrä', 'Beløb', 'Beløp', 'Amount'],
      counterparty: ['Namn', 'Nimi', 'Navn', 'Name'],
      text: ['Rubrik', 'Otsikko', 'Beskrivelse', 'Tittel', 'Title'],
      // No reference: Nordea's "Viitenumero" is the payment's creditor reference, shared by
      // every month's bill, so it cannot tell entries apart.
      balance: ['Saldo', 'Balance'],
      currency: ['Valuta', 'Valuutta', 'Currency'],
    },
  },
  {
    id: 'seb',
    bank: 'SEB (SE)',
    source:
      'SEB Internetbanken "Exportera till Excel/CSV" of an account: Bokföringsdatum, Valutadatum, Verifikationsnummer, Text/mottagare, Belopp, Saldo (as documented by open-source budget importers for SEB).',
    delimiter: ';',
    decimalMark: ',',
    thousandsSeparator: '',
    dateFormat: 'YYYY-MM-DD',
    headers: {
      bookedOn: ['Bokföringsdatum'],
      valueOn: ['Valutadatum'],
      reference: ['Verifikationsnummer'],
      counterparty: ['Text/mottagare', 'Text'],
      amount: ['Belopp'],
      balance: ['Saldo'],
    },
  },
  {
    id: 'swedbank',
    bank: 'Swedbank and Sparbankerna (SE)',
    source:
      'Swedbank Internetbanken "Exportera till Excel" (CSV): a first line "* Transaktioner Period <from> – <to> Skapad <date>", then Radnummer, Clearingnummer, Kontonummer, Produkt, Valuta, Bokföringsdag, Transaktionsdag, Valutadag, Referens, Beskrivning, Belopp, Bokfört saldo; comma-separated with a decimal point, Latin-1 (as read by the beancount Swedbank importer).',
    delimiter: ',',
    decimalMark: '.',
    thousandsSeparator: '',
    dateFormat: 'YYYY-MM-DD',
    headers: {
      bookedOn: ['Bokföringsdag'],
      valueOn: ['Valutadag'],
      counterparty: ['Referens'],
      text: ['Beskrivning'],
      amount: ['Belopp'],
      balance: ['Bokfört saldo'],
      currency: ['Valuta'],
    },
  },
  {
    id: 'handelsbanken',
    bank: 'Handelsbanken (SE)',
    source:
      'Handelsbanken "Kontoutdrag/Transaktioner" export: Reskontradatum, Transaktionsdatum, Text, Belopp, Saldo; semicolons and decimal commas (as described by Swedish budgeting tools that import it).',
    delimiter: ';',
    decimalMark: ',',
    thousandsSeparator: ' ',
    dateFormat: 'YYYY-MM-DD',
    headers: {
      bookedOn: ['Reskontradatum'],
      valueOn: ['Transaktionsdatum'],
      counterparty: ['Text'],
      amount: ['Belopp'],
      balance: ['Saldo'],
    },
  },
  {
    id: 'danske',
    bank: 'Danske Bank (DK, SE, FI, NO)',
    source:
      'Danske Bank netbank "Eksporter" (CSV): Dato, Tekst, Beløb, Saldo, Status, Afstemt; semicolons, DD.MM.YYYY, decimal comma with point thousands, Windows-1252.',
    delimiter: ';',
    decimalMark: ',',
    thousandsSeparator: '.',
    dateFormat: 'DD.MM.YYYY',
    headers: {
      bookedOn: ['Dato', 'Datum', 'Päivämäärä'],
      counterparty: ['Tekst', 'Text', 'Teksti'],
      amount: ['Beløb', 'Belopp', 'Beløp', 'Määrä'],
      balance: ['Saldo'],
    },
  },
  {
    id: 'dnb',
    bank: 'DNB (NO)',
    source:
      'DNB nettbank "Last ned kontoutskrift" (CSV): Dato, Forklaring, Rentedato, Ut fra konto, Inn på konto; money out and in in two columns, DD.MM.YYYY, decimal comma.',
    delimiter: ';',
    decimalMark: ',',
    thousandsSeparator: '',
    dateFormat: 'DD.MM.YYYY',
    headers: {
      bookedOn: ['Dato'],
      counterparty: ['Forklaring'],
      valueOn: ['Rentedato'],
      debit: ['Ut fra konto'],
      credit: ['Inn på konto'],
    },
  },
  {
    id: 'sparebank1',
    bank: 'SpareBank 1 (NO)',
    source:
      'SpareBank 1 nettbank CSV export: Dato, Beskrivelse, Rentedato, Inn, Ut, Til konto, Fra konto; DD.MM.YYYY, decimal comma.',
    delimiter: ';',
    decimalMark: ',',
    thousandsSeparator: '',
    dateFormat: 'DD.MM.YYYY',
    headers: {
      bookedOn: ['Dato'],
      counterparty: ['Beskrivelse'],
      valueOn: ['Rentedato'],
      credit: ['Inn'],
      debit: ['Ut'],
    },
  },
  {
    id: 'op',
    bank: 'OP Financial Group (FI)',
    source:
      'OP verkkopankki "Tapahtumat tiedostona" (CSV): Kirjauspäivä, Arvopäivä, Määrä EUROA, Laji, Selitys, Saaja/Maksaja, Saajan tilinumero (ja pankin BIC), Viite, Viesti, Arkistointitunnus; DD.MM.YYYY, decimal comma (as read by open-source OP importers).',
    delimiter: ';',
    decimalMark: ',',
    thousandsSeparator: '',
    dateFormat: 'DD.MM.YYYY',
    headers: {
      bookedOn: ['Kirjauspäivä'],
      valueOn: ['Arvopäivä'],
      amount: ['Määrä EUROA', 'Määrä'],
      counterparty: ['Saaja/Maksaja'],
      text: ['Viesti'],
      reference: ['Arkistointitunnus'],
    },
  },
];

export function csvPreset(id: string): CsvPreset | undefined {
  return csvPresets.find((preset) => preset.id === id);
}

const normalize = (header: string) => header.trim().toLowerCase();

/**
 * The columns of `preset` in `header`, or null when the header lacks the booking date or the
 * amount columns the preset needs.
 */
export function presetColumns(preset: CsvPreset, header: string[]): CsvColumns | null {
  const cells = header.map(normalize);
  const columns: Record<string, number | null> = {};
  for (const [role, names] of Object.entries(preset.headers)) {
    const wanted = new Set((names ?? []).map(normalize));
    const at = cells.findIndex((cell) => wanted.has(cell));
    columns[role] = at < 0 ? null : at;
  }
  const found = columns as Partial<CsvColumns>;
  if (found.bookedOn == null) return null;
  const hasAmount = found.amount != null || (found.debit != null && found.credit != null);
  if (!hasAmount) return null;
  return {
    bookedOn: found.bookedOn,
    valueOn: found.valueOn ?? null,
    amount: found.amount ?? null,
    debit: found.debit ?? null,
    credit: found.credit ?? null,
    counterparty: found.counterparty ?? null,
    text: found.text ?? null,
    reference: found.reference ?? null,
    balance: found.balance ?? null,
    currency: found.currency ?? null,
  };
}
