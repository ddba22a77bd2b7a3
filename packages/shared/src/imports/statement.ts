/**
 * One bank statement, whatever file it came from (CSV, OFX/QFX, QIF, CAMT.053/.054, MT940):
 * what every parser returns and what the import pipeline stages, deduplicates and commits.
 * Amounts are integer minor units of `currency`, signed from the account holder's side
 * (money out is negative); dates are ISO calendar days (YYYY-MM-DD) as the bank booked them.
 */

export type StatementFormat = 'csv' | 'ofx' | 'qif' | 'camt.053' | 'camt.054' | 'mt940';

export interface StatementEntry {
  /** 1-based line (text formats) or entry ordinal (XML formats) in the file, for problems and previews. */
  line: number;
  bookedOn: string;
  /** The value date, where the file gives one. */
  valueOn: string | null;
  amountMinor: number;
  /** ISO 4217; the statement's currency unless the entry names its own. */
  currency: string;
  /** Who was paid or paid: the counterparty's name as the bank wrote it. */
  counterparty: string | null;
  /** The counterparty's account (IBAN or number), where given. */
  counterpartyAccount: string | null;
  /** Remittance information: the message, OCR/reference number, card purchase text. */
  text: string | null;
  /** The bank's own id for the entry (FITID, AcctSvcrRef, MT940 bank reference...), the first key for deduplication. */
  bankReference: string | null;
}

export interface Statement {
  format: StatementFormat;
  /** The account the statement is for: an IBAN or the bank's account number, as in the file. */
  account: string | null;
  /** ISO 4217. */
  currency: string;
  openingBalanceMinor: number | null;
  openingOn: string | null;
  closingBalanceMinor: number | null;
  closingOn: string | null;
  entries: StatementEntry[];
}

/** A problem with the file itself, with where it is: a line the parser could not read. */
export interface ParseProblem {
  /** 1-based line (or entry ordinal), or null for the file as a whole. */
  line: number | null;
  /** Stable UPPER_SNAKE code (IMPORT_* in packages/shared/src/errors.ts). */
  code: string;
  message: string;
}

/**
 * A parse either reads the file, possibly with problems on single lines (which the preview shows
 * and the commit skips), or refuses it as a whole (`statement` null, at least one problem).
 */
export interface ParseResult {
  statement: Statement | null;
  problems: ParseProblem[];
}
