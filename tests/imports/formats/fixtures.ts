/** Reads the sample files in tests/imports/fixtures (their sources and licences are in its README). */
import { readFileSync } from 'node:fs';
import type { StatementEntry } from '../../../packages/shared/src/imports/statement.ts';

export function fixture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../fixtures/${path}`, import.meta.url)));
}

/** A fixture as text (Latin-1 keeps every byte), edited, and back to the same bytes. */
export function editFixture(path: string, edit: (text: string) => string): Uint8Array {
  const text = new TextDecoder('latin1').decode(fixture(path));
  return Uint8Array.from(edit(text), (c) => c.charCodeAt(0));
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** An expected entry: the fields a format does not carry are null unless given. */
export function entry(
  fields: Partial<StatementEntry> & Pick<StatementEntry, 'line' | 'bookedOn' | 'amountMinor' | 'currency'>,
): StatementEntry {
  return { valueOn: null, counterparty: null, counterpartyAccount: null, text: null, bankReference: null, ...fields };
}
