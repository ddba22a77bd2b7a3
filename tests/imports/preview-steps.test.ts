import { classifyEntries, parseStatement } from '@westwallet/shared/imports';
import { beforeAll, describe, expect, it } from 'vitest';
import { accountTransactions, importsBucket } from '../../supabase/functions/_shared/imports/existing.ts';
import { importPreview, previewKind } from '../../supabase/functions/_shared/imports/preview.ts';
import { adminSql } from '../helpers/db.ts';
import { addTransaction, createAccount } from '../helpers/finance.ts';
import { type Household, signUpHousehold } from '../helpers/organizations.ts';
import { uploadStatement } from './pipeline-helpers.ts';
import { batchAndRows, runSteps, stepContext, storage } from './step-helpers.ts';

/**
 * The preview in steps (supabase/functions/_shared/imports/preview.ts), run as the jobs worker
 * runs a kind, against the stack's database and Storage: a file read and matched a few lines a
 * step, every step run twice (as after a checkpoint lost to a dying worker), gives the very batch
 * that one long step gives, and the verdicts `classifyEntries` gives over the whole file.
 */
describe('the preview in steps', () => {
  let household: Household;
  let account: string;
  let path: string;
  let csv: string;

  const day = (d: number) => new Date(Date.UTC(2026, 2, d)).toISOString().slice(0, 10);

  beforeAll(async () => {
    household = await signUpHousehold('importsteps');
    const { owner, orgId } = household;
    account = await createAccount(owner, orgId);
    const typed = (d: number, amount: number, counterparty: string, bank_reference: string | null = null) =>
      addTransaction(owner, {
        org_id: orgId,
        account_id: account,
        kind: 'expense',
        booked_on: day(d),
        amount_minor: amount,
        currency: 'SEK',
        counterparty,
        bank_reference,
      });
    // What the account has: a shop a day (same day), a bakery two days off (near day), one coffee
    // where the file has three, and two references (one agreeing, one of another amount).
    for (let d = 1; d <= 40; d++) {
      await typed(d, d * 100 + 5, `Shop ${d}`);
      if (d % 3 === 0) await typed(d + 2, d * 100 + 7, `Bakery ${d}`);
    }
    await typed(20, 3500, 'Espresso House');
    await typed(12, 99_900, 'Electricity', 'V-1000');
    await typed(13, 12_300, 'Rent', 'V-1001');

    // SEB's layout, newest first, with a verification number (the reference) on some lines.
    const lines: string[] = [];
    for (let d = 40; d >= 1; d--) {
      lines.push(`${day(d)};${day(d)};;Shop ${d};-${d},05;`);
      if (d % 3 === 0) lines.push(`${day(d)};${day(d)};;BAKERY ${d} STOCKHOLM;-${d},07;`);
      for (let k = 0; k < 5; k++) lines.push(`${day(d)};${day(d)};N-${d}-${k};Market ${k};-${k + 1}${d},50;`);
      if (d === 20) for (let k = 0; k < 3; k++) lines.push(`${day(d)};${day(d)};;ESPRESSO HOUSE;-35,00;`);
      if (d === 12)
        lines.push(
          `${day(d)};${day(d)};V-1000;Electricity;-999,00;`,
          `${day(d)};${day(d)};V-1000;Electricity;-999,00;`,
        );
      if (d === 13) lines.push(`${day(d)};${day(d)};V-1001;Rent;-1230,00;`);
      if (d === 7) lines.push(`${day(d)};${day(d)};;Not a line`, `yesterday;${day(d)};;Bad date;-1,00;`);
    }
    csv = `Bokföringsdatum;Valutadatum;Verifikationsnummer;Text/mottagare;Belopp;Saldo\n${lines.join('\n')}\n`;
    path = await uploadStatement(owner, orgId, csv);
  });

  it('gives the same batch a few lines a step, each step run twice, as in one step, and the whole-file verdicts', async () => {
    const { orgId } = household;
    const params = importPreview.params.parse({ account_id: account, path });

    const whole = stepContext(orgId, 60_000);
    const once = await runSteps(importPreview, whole, params);
    expect(once.steps).toBe(1);

    const tiny = previewKind({ stageBytes: 300, matchRows: 7 });
    const small = stepContext(orgId, 0);
    const stepped = await runSteps(tiny, small, params, true);
    expect(stepped.steps).toBeGreaterThan(100);

    const a = await batchAndRows(orgId, whole.jobId);
    const b = await batchAndRows(orgId, small.jobId);
    expect(b.batch).toEqual(a.batch);
    expect(b.rows).toEqual(a.rows);
    expect({ ...stepped.done, batch_id: null }).toEqual({ ...once.done, batch_id: null });

    // What it found: every shop and bakery, one coffee of three, the agreeing reference once (its
    // second line new), the other reference a conflict; the undated lines as problems.
    expect(a.batch).toMatchObject({
      status: 'previewed',
      preset: 'seb',
      duplicate_count: 40 + 13 + 1 + 1,
      conflict_count: 1,
      problem_count: 2,
    });
    expect(a.rows.filter((r) => r.bank_reference === 'V-1000').map((r) => [r.status, r.match_reason])).toEqual([
      ['duplicate', 'reference'],
      ['new', null],
    ]);
    expect(a.rows.filter((r) => r.counterparty === 'ESPRESSO HOUSE').map((r) => r.status)).toEqual([
      'duplicate',
      'new',
      'new',
    ]);

    // The oracle: the file parsed whole and classified against the account's range at once.
    const parsed = parseStatement(new TextEncoder().encode(csv), { currency: 'SEK', currencyExponent: 2 });
    const entries = parsed.statement?.entries ?? [];
    const existing = await accountTransactions(adminSql, orgId, account, day(1), day(40));
    const verdicts = classifyEntries(entries, existing);
    expect(a.rows.map((r) => [r.line, r.status, r.match_reason, r.duplicate_of])).toEqual(
      entries.map((e, i) => [e.line, verdicts[i].status, verdicts[i].reason, verdicts[i].transactionId]),
    );
  });

  it('leaves nothing of a batch whose file turns out broken after some parts were staged', async () => {
    const { owner, orgId } = household;
    const broken = `${csv}${day(1)};${day(1)};;"Unclosed;-1,00;\n`;
    const brokenPath = await uploadStatement(owner, orgId, broken);
    const ctx = stepContext(orgId, 0);
    const tiny = previewKind({ stageBytes: 300, matchRows: 7 });
    const params = tiny.params.parse({ account_id: account, path: brokenPath });
    await expect(runSteps(tiny, ctx, params)).rejects.toMatchObject({ code: 'IMPORT_FILE_TRUNCATED' });
    const [{ n }] = await adminSql`select count(*)::int as n from public.import_rows where batch_id = ${ctx.jobId}`;
    expect(n).toBe(0);
    expect(await adminSql`select id from public.import_batches where id = ${ctx.jobId}`).toHaveLength(0);
    await storage.remove(importsBucket, [brokenPath]);
  });
});
