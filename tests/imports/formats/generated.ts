/**
 * Statement files of any length in each structured format, for reading in parts: several
 * statements (one of another account, some that do not add up), entries with non-ASCII names
 * (UTF-8 characters of two and three bytes, so a part's edge can fall next to one), and entries
 * that are problems (a bad date or amount, one in another currency, one not booked).
 */

const encoder = new TextEncoder();

/** Day `d` (0-based) of March 2026 onwards. */
function day(d: number): Date {
  return new Date(Date.UTC(2026, 2, 1 + (d % 40)));
}
const iso = (d: number) => day(d).toISOString().slice(0, 10);
const compact = (d: number) => iso(d).replaceAll('-', '');
const decimal = (minor: number) => `${Math.trunc(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;

/** Entry `i`: an amount in minor units (out when odd) and a name. */
function amountOf(i: number): number {
  return (i % 2 === 1 ? -1 : 1) * (100 + ((i * 7919) % 90_000));
}
const nameOf = (i: number) => `Café Ångström ${i} €`;

/** `count` entries spread over `statements` statements; the second is of another account. */
function statementsOf(count: number, statements: number): number[][] {
  const per = Math.ceil(count / statements);
  return Array.from({ length: statements }, (_, s) =>
    Array.from({ length: Math.max(0, Math.min(per, count - s * per)) }, (_, k) => s * per + k),
  );
}

export function camt053(count: number, statements = 3): Uint8Array {
  const entry = (i: number) => {
    const amount = amountOf(i);
    const indicator = amount < 0 ? 'DBIT' : 'CRDT';
    const status = i % 17 === 5 ? 'PDNG' : 'BOOK';
    const currency = i === 7 ? 'EUR' : 'SEK';
    const value = i % 29 === 3 ? '1,50' : decimal(Math.abs(amount));
    const party = amount < 0 ? 'Cdtr' : 'Dbtr';
    const tx = (k: number, minor: number) =>
      `<TxDtls>${i % 13 === 4 ? `<Amt Ccy="SEK">${decimal(minor)}</Amt>` : ''}<Refs><EndToEndId>E2E-${i}-${k}</EndToEndId></Refs>` +
      `<RltdPties><${party}><Nm>${nameOf(i)}/${k}</Nm></${party}></RltdPties><RmtInf><Ustrd>köp ${i}</Ustrd></RmtInf></TxDtls>`;
    const details =
      i % 13 === 4
        ? tx(1, Math.floor(Math.abs(amount) / 3)) + tx(2, Math.abs(amount) - Math.floor(Math.abs(amount) / 3))
        : tx(1, Math.abs(amount));
    return `      <Ntry>
        <Amt Ccy="${currency}">${value}</Amt><CdtDbtInd>${indicator}</CdtDbtInd><Sts>${status}</Sts>
        <BookgDt><Dt>${iso(i)}</Dt></BookgDt><ValDt><Dt>${iso(i + 1)}</Dt></ValDt><AcctSvcrRef>REF-${i}</AcctSvcrRef>
        <NtryDtls>${details}</NtryDtls>
      </Ntry>
`;
  };
  const balance = (code: string, minor: number, d: number) =>
    `      <Bal><Tp><CdOrPrtry><Cd>${code}</Cd></CdOrPrtry></Tp><Amt Ccy="SEK">${decimal(Math.abs(minor))}</Amt>` +
    `<CdtDbtInd>${minor < 0 ? 'DBIT' : 'CRDT'}</CdtDbtInd><Dt><Dt>${iso(d)}</Dt></Dt></Bal>\n`;
  const stmts = statementsOf(count, statements).map((ids, s) => {
    const iban = s === 1 ? 'SE3550000000054910000003' : 'SE4550000000058398257466';
    // The first adds up (its booked SEK entries), the others do not.
    const sum = ids.filter((i) => i % 17 !== 5 && i !== 7 && i % 29 !== 3).reduce((total, i) => total + amountOf(i), 0);
    const closing = s === 0 ? 1_000_000 + sum : 1_000_000 + sum + s;
    return `    <Stmt>
      <Id>STMT-${s}</Id><CreDtTm>2026-04-01T10:00:00</CreDtTm>
      <Acct><Id><IBAN>${iban}</IBAN></Id><Ccy>SEK</Ccy></Acct>
${balance('OPBD', 1_000_000, 0)}${balance('CLBD', closing, 39)}      <!-- a comment that names an <Ntry> is none -->
${ids.map(entry).join('')}    </Stmt>
`;
  });
  return encoder.encode(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.04">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>GENERATED</MsgId><CreDtTm>2026-04-01T10:00:00</CreDtTm></GrpHdr>
${stmts.join('')}  </BkToCstmrStmt>
</Document>
`);
}

export function ofx(count: number, statements = 3): Uint8Array {
  const trn = (i: number) => {
    const posted = i % 23 === 9 ? '20260231' : compact(i);
    const amount = i % 29 === 3 ? '12.5x' : decimal(Math.abs(amountOf(i)));
    const currency = i === 7 ? '<CURRENCY><CURRATE>1.0<CURSYM>EUR</CURRENCY>\n' : '';
    return `<STMTTRN>
<TRNTYPE>${amountOf(i) < 0 ? 'DEBIT' : 'CREDIT'}
<DTPOSTED>${posted}120000[+1:CET]
<TRNAMT>${amountOf(i) < 0 ? '-' : ''}${amount}
<FITID>FIT-${i}
<NAME>${nameOf(i)}
<MEMO>köp ${i} &amp; mer
${currency}</STMTTRN>
`;
  };
  const stmts = statementsOf(count, statements).map(
    (ids, s) => `<STMTTRNRS>
<TRNUID>${s + 1}
<STATUS><CODE>0<SEVERITY>INFO</STATUS>
<STMTRS>
<CURDEF>SEK
<BANKACCTFROM><BANKID>8327<ACCTID>${s === 1 ? '999-1' : '8327-9 123 456 789-0'}<ACCTTYPE>CHECKING</BANKACCTFROM>
<BANKTRANLIST>
<DTSTART>20260301
<DTEND>20260410
<!-- a comment that names a <STMTTRN> is none -->
${ids.map(trn).join('')}</BANKTRANLIST>
<LEDGERBAL><BALAMT>${decimal(1_000_000 + s)}<DTASOF>${compact(39)}</LEDGERBAL>
</STMTRS>
</STMTTRNRS>
`,
  );
  return encoder.encode(`OFXHEADER:100
DATA:OFXSGML
VERSION:102
SECURITY:NONE
ENCODING:UTF-8
CHARSET:NONE
COMPRESSION:NONE
OLDFILEUID:NONE
NEWFILEUID:NONE

<OFX>
<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20260401<LANGUAGE>SWE</SONRS></SIGNONMSGSRSV1>
<BANKMSGSRSV1>
${stmts.join('')}</BANKMSGSRSV1>
</OFX>
`);
}

export function mt940(count: number, statements = 3): Uint8Array {
  const swift = (d: number) => compact(d).slice(2);
  const line = (i: number) => {
    const value = i % 23 === 9 ? '260230' : swift(i);
    const amount = Math.abs(amountOf(i));
    const mark = amountOf(i) < 0 ? 'D' : 'C';
    const details =
      i % 3 === 0
        ? `:86:166?00SEPA-UEBERWEISUNG?20EREF+E2E-${i}?21SVWZ+Köp ${i} hos?22 ${nameOf(i)}?30DEUTDEFF?31DE89370400440532013000?32${nameOf(i).slice(0, 27)}\n`
        : i % 3 === 1
          ? `:86:/NAME/${nameOf(i)}/REMI/USTD//köp ${i}/\n/IBAN/DE89370400440532013000\n`
          : '';
    return `:61:${value}${swift(i).slice(2)}${mark}${Math.trunc(amount / 100)},${String(amount % 100).padStart(2, '0')}NTRFREF${i}//BANK-${i}\n${details}`;
  };
  const amount = (minor: number) =>
    `${minor < 0 ? 'D' : 'C'}${'%D%'}EUR${Math.trunc(Math.abs(minor) / 100)},${String(Math.abs(minor) % 100).padStart(2, '0')}`;
  const stmts = statementsOf(count, statements).map((ids, s) => {
    const sum = ids.filter((i) => i % 23 !== 9).reduce((total, i) => total + amountOf(i), 0);
    const closing = s === 0 ? 1_000_000 + sum : 1_000_000 + sum + s;
    return `:20:STMT-${s}
:25:${s === 1 ? 'DE12500105170648489890' : 'DE89370400440532013000'}
:28C:${s + 1}/1
:60F:${amount(1_000_000).replace('%D%', swift(0))}
${ids.map(line).join('')}:62F:${amount(closing).replace('%D%', swift(39))}
-
`;
  });
  return encoder.encode(stmts.join(''));
}

export function qif(count: number): Uint8Array {
  const record = (i: number) => {
    const d = day(i);
    // Month first; a day over 12 settles the order.
    const date = `${d.getUTCMonth() + 1}/${d.getUTCDate()}'${String(d.getUTCFullYear()).slice(2)}`;
    const amount = i % 29 === 3 ? '12.5x' : `${amountOf(i) < 0 ? '-' : ''}${decimal(Math.abs(amountOf(i)))}`;
    return `D${i % 23 === 9 ? '2/30/2026' : date}\nT${amount}\nP${nameOf(i)}\nMköp ${i}\nLGroceries\n^\n`;
  };
  const half = Math.ceil(count / 2);
  const ids = Array.from({ length: count }, (_, i) => i);
  return encoder.encode(
    `!Account\nNChecking\nTBank\n^\n!Type:Bank\nD3/1'26\nT10,000.00\nPOpening Balance\nL[Checking]\n^\n${ids
      .slice(0, half)
      .map(record)
      .join('')}!Account\nNSavings\nTBank\n^\n!Type:Bank\n${ids
      .slice(half, half + 3)
      .map(record)
      .join('')}!Account\nNChecking\nTBank\n^\n!Type:Bank\n${ids.slice(half).map(record).join('')}`,
  );
}
