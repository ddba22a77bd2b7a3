import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../packages/shared/src/imports/detect.ts';
import type { StatementFormat } from '../../../packages/shared/src/imports/statement.ts';
import { bytes, fixture } from './fixtures.ts';

const expected: Record<string, StatementFormat> = {
  'ofx/ofxparse-bank-medium.ofx': 'ofx',
  'ofx/ofxparse-checking.ofx': 'ofx',
  'ofx/spec-ofx160-sgml-cp1252.ofx': 'ofx',
  'ofx/spec-ofx220-xml-creditcard.qfx': 'ofx',
  'qif/spec-quicken-bank-mdy.qif': 'qif',
  'qif/spec-ccard-ambiguous-decimal-comma.qif': 'qif',
  'camt/genkgo-camt053.v2.minimal.xml': 'camt.053',
  'camt/genkgo-camt053.v2.multi-statement.xml': 'camt.053',
  'camt/genkgo-camt053.v4.xml': 'camt.053',
  'camt/genkgo-camt053.v8.xml': 'camt.053',
  'camt/spec-camt053.v04-nordic-latin1.xml': 'camt.053',
  'camt/genkgo-camt054.v2.xml': 'camt.054',
  'camt/spec-camt054.v08-finnish.xml': 'camt.054',
  'mt940/betterplace-sepa-mt9401.sta': 'mt940',
  'mt940/betterplace-two-pages.sta': 'mt940',
  'mt940/jejik-abnamro.sta': 'mt940',
  'mt940/spec-sparkasse-envelope-latin1.sta': 'mt940',
};

describe('format detection from content', () => {
  it('knows every sample file by its content, and every sample is listed here', () => {
    const dir = new URL('../fixtures/', import.meta.url);
    const files = ['ofx', 'qif', 'camt', 'mt940'].flatMap((f) =>
      readdirSync(new URL(`${f}/`, dir)).map((n) => `${f}/${n}`),
    );
    expect(files.sort()).toEqual(Object.keys(expected).sort());
    for (const [file, format] of Object.entries(expected))
      expect([file, detectFormat(fixture(file))]).toEqual([file, format]);
  });

  it('calls delimited text csv, whatever its delimiter, encoding or BOM', () => {
    const semicolons = 'Bokföringsdag;Belopp;Text\n2026-01-02;-249,50;ICA Nära\n2026-01-03;1500,00;Lön\n';
    expect(detectFormat(Uint8Array.from(semicolons, (c) => c.charCodeAt(0)))).toBe('csv'); // Latin-1
    expect(detectFormat(bytes(`\ufeff${semicolons}`))).toBe('csv');
    expect(detectFormat(bytes('Date,Amount,Payee\n01/02/2026,-6.60,"McDonald\'s, Main St"\n'))).toBe('csv');
    expect(detectFormat(bytes('date\tamount\n2026-01-02\t-1.00\n'))).toBe('csv');
    const utf16 = new Uint8Array([0xff, 0xfe, ...Array.from('a;b\n1;2\n').flatMap((c) => [c.charCodeAt(0), 0])]);
    expect(detectFormat(utf16)).toBe('csv');
  });

  it('finds no format in a PDF, a ZIP, an image, binary, other XML, camt.052, prose or nothing', () => {
    expect(detectFormat(bytes('%PDF-1.7\n1 0 obj <<>> endobj\n'))).toBeNull();
    expect(detectFormat(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]))).toBeNull();
    expect(detectFormat(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBeNull();
    expect(detectFormat(new Uint8Array([0x01, 0x02, 0x03, 0x04, 0x05, 0x41, 0x42]))).toBeNull();
    expect(detectFormat(bytes('<?xml version="1.0"?><rss><channel></channel></rss>'))).toBeNull();
    const camt052 = new TextDecoder().decode(fixture('camt/genkgo-camt053.v8.xml')).replaceAll('camt.053', 'camt.052');
    expect(detectFormat(bytes(camt052))).toBeNull();
    expect(detectFormat(bytes('Dear customer\nyour statement is attached\n'))).toBeNull();
    expect(detectFormat(new Uint8Array())).toBeNull();
  });

  it('does not take an MT940 look-alike or a QIF-like word for the format', () => {
    expect(detectFormat(bytes(':20:REF\n:25:ACCOUNT\nno balances, no entries\n'))).toBeNull();
    expect(detectFormat(bytes('!Typewriter;ribbon\n1;2\n'))).toBe('csv');
  });
});
