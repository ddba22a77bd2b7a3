import {
  classifyEntries,
  importMaxProblems,
  type ParseProblem,
  parseStatement,
  problemOrder,
  type StatementFormat,
} from '@westwallet/shared/imports';
import { beforeAll, describe, expect, it } from 'vitest';
import { accountTransactions } from '../../supabase/functions/_shared/imports/existing.ts';
import { importPreview, previewKind } from '../../supabase/functions/_shared/imports/preview.ts';
import { adminSql } from '../helpers/db.ts';
import { addTransaction, createAccount } from '../helpers/finance.ts';
import { type Household, signUpHousehold } from '../helpers/organizations.ts';
import { fixture } from './formats/fixtures.ts';
import { camt053, mt940, ofx, qif } from './formats/generated.ts';
import { uploadStatement } from './pipeline-helpers.ts';
import { batchAndRows, runSteps, stepContext } from './step-helpers.ts';

/**
 * The preview of OFX, QIF, CAMT and MT940 files in steps (supabase/functions/_shared/imports/
 * preview.ts), as the jobs worker runs it: a file read a few hundred bytes a step (a part of the
 * file from an entry's start), every step run twice (as after a checkpoint lost to a dying
 * worker), gives the very batch that one long step gives, and the entries, problems and verdicts
 * of the file parsed whole and matched by `classifyEntries` at once.
 */
interface Case {
  name: string;
  format: StatementFormat;
  bytes: Uint8Array;
  currency: string;
  /** Steps the tiny preview must take at least. */
  steps: number;
}

const cases: Case[] = [
  { name: 'a generated CAMT.053', format: 'camt.053', bytes: camt053(300), currency: 'SEK', steps: 100 },
  { name: 'a generated OFX 1.x', format: 'ofx', bytes: ofx(300), currency: 'SEK', steps: 100 },
  { name: 'a generated MT940', format: 'mt940', bytes: mt940(300), currency: 'EUR', steps: 100 },
  { name: 'a generated QIF', format: 'qif', bytes: qif(300), currency: 'SEK', steps: 100 },
  ...(
    [
      ['camt/genkgo-camt053.v2.multi-statement.xml', 'EUR'],
      ['camt/genkgo-camt053.v8.xml', 'EUR'],
      ['camt/genkgo-camt054.v2.xml', 'SEK'],
      ['camt/spec-camt053.v04-nordic-latin1.xml', 'SEK'],
      ['camt/spec-camt054.v08-finnish.xml', 'EUR'],
      ['ofx/ofxparse-checking.ofx', 'USD'],
      ['ofx/spec-ofx160-sgml-cp1252.ofx', 'SEK'],
      ['ofx/spec-ofx220-xml-creditcard.qfx', 'USD'],
      ['qif/spec-quicken-bank-mdy.qif', 'USD'],
      ['mt940/betterplace-sepa-mt9401.sta', 'EUR'],
      ['mt940/jejik-abnamro.sta', 'EUR'],
      ['mt940/spec-sparkasse-envelope-latin1.sta', 'EUR'],
    ] as const
  ).map(([file, currency]): Case => {
    const format = file.startsWith('camt/')
      ? file.includes('camt054')
        ? 'camt.054'
        : 'camt.053'
      : file.startsWith('ofx/')
        ? 'ofx'
        : file.startsWith('qif/')
          ? 'qif'
          : 'mt940';
    return { name: file, format, bytes: fixture(file), currency, steps: 2 };
  }),
];

describe('the preview of structured statements in steps', () => {
  let household: Household;
  const accounts = new Map<string, string>();

  beforeAll(async () => {
    household = await signUpHousehold('importstepsfmt');
    const { owner, orgId } = household;
    for (const currency of ['SEK', 'EUR', 'USD'])
      accounts.set(currency, await createAccount(owner, orgId, { currency }));
  });

  it.each(cases)(
    '$name: a part a step, each step twice, gives the batch of one step and of the file read whole',
    async (c) => {
      const { owner, orgId } = household;
      const account = accounts.get(c.currency) as string;
      const whole = parseStatement(c.bytes, { currency: c.currency, currencyExponent: 2 });
      expect(whole.statement?.format).toBe(c.format);
      const entries = (whole.statement?.entries ?? []).filter((e) => e.currency === c.currency);
      const days = entries.map((e) => e.bookedOn).sort();
      // What the account already has: every seventh entry, typed, so some rows are duplicates.
      for (const [i, e] of entries.entries()) {
        if (i % 7 !== 0) continue;
        await addTransaction(owner, {
          org_id: orgId,
          account_id: account,
          kind: e.amountMinor < 0 ? 'expense' : 'income',
          booked_on: e.bookedOn,
          amount_minor: Math.abs(e.amountMinor),
          currency: c.currency,
          fx_rate: c.currency === 'SEK' ? null : 11.5,
          counterparty: e.counterparty ?? 'Someone',
        });
      }
      const path = await uploadStatement(owner, orgId, c.bytes, c.name.split('/').pop());
      const params = importPreview.params.parse({ account_id: account, path });

      const big = stepContext(orgId, 60_000);
      const once = await runSteps(importPreview, big, params);
      expect(once.steps).toBe(1);
      const tiny = previewKind({ stageBytes: 200, matchRows: 7 });
      const small = stepContext(orgId, 0);
      const stepped = await runSteps(tiny, small, params, true);
      expect(stepped.steps).toBeGreaterThan(c.steps);

      const a = await batchAndRows(orgId, big.jobId);
      const b = await batchAndRows(orgId, small.jobId);
      expect(b.batch).toEqual(a.batch);
      expect(b.rows).toEqual(a.rows);
      expect({ ...stepped.done, batch_id: null }).toEqual({ ...once.done, batch_id: null });

      // The oracle: the file parsed whole, its entries in the account's currency classified at once.
      const statement = whole.statement;
      const existing = await accountTransactions(adminSql, orgId, account, days[0] as string, days.at(-1) as string);
      const verdicts = classifyEntries(entries, existing);
      expect(
        a.rows.map((r) => [r.line, r.booked_on, Number(r.amount_minor), r.counterparty, r.text, r.bank_reference]),
      ).toEqual(entries.map((e) => [e.line, e.bookedOn, e.amountMinor, e.counterparty, e.text, e.bankReference]));
      expect(a.rows.map((r) => [r.status, r.match_reason, r.duplicate_of])).toEqual(
        verdicts.map((v) => [v.status, v.reason, v.transactionId]),
      );
      if (c.steps > 2) expect(a.rows.filter((r) => r.status === 'duplicate').length).toBeGreaterThan(10);
      const mismatched: ParseProblem[] = (statement?.entries ?? [])
        .filter((e) => e.currency !== c.currency)
        .map((e) => ({
          line: e.line,
          code: 'IMPORT_CURRENCY_MISMATCH',
          message: `The entry is in ${e.currency}; the account is in ${c.currency}.`,
        }));
      const problems = [...whole.problems, ...mismatched].sort(problemOrder);
      expect(a.batch).toMatchObject({
        statement_account: statement?.account?.slice(0, 64) ?? null,
        entry_count: entries.length,
        problems: problems.slice(0, importMaxProblems),
        problem_count: problems.length,
        opening_balance_minor: statement?.openingBalanceMinor?.toString() ?? null,
        opening_on: statement?.openingOn ?? null,
        closing_balance_minor: statement?.closingBalanceMinor?.toString() ?? null,
        closing_on: statement?.closingOn ?? null,
      });
    },
  );
});
