import { beforeAll, describe, expect, it } from 'vitest';
import { addTransaction, createAccount } from '../helpers/finance.ts';
import { type Household, signUpHousehold } from '../helpers/organizations.ts';
import { commitBatch, liveTransactions, nordeaCsv, previewStatement, rowsOf } from './pipeline-helpers.ts';

/** Deduplication that neither drops nor doubles, through the preview and commit jobs. */
describe('deduplicating imported statements', () => {
  let household: Household;

  beforeAll(async () => {
    household = await signUpHousehold('importdedupe');
  });

  const day = (d: number) => `2026-05-${String(d).padStart(2, '0')}`;
  /** One entry a day from `first` to `last`, newest first, each a different amount. */
  const statement = (first: number, last: number) =>
    nordeaCsv(
      Array.from({ length: last - first + 1 }, (_, i) => last - i).map((d) => ({
        on: day(d),
        amount: `-${d}0,00`,
        name: `Butik ${d}`,
      })),
    );

  it('adds nothing when the same file comes again, and only the missing days of an overlapping one', async () => {
    const { owner, orgId } = household;
    const account = await createAccount(owner, orgId);
    const first = await previewStatement(owner, orgId, account, statement(1, 10));
    expect((await commitBatch(owner, orgId, first.batchId)).imported).toBe(10);

    const same = await previewStatement(owner, orgId, account, statement(1, 10));
    expect(same.job.result).toMatchObject({ new: 0, duplicate: 10 });
    const sameRows = await rowsOf(owner, same.batchId);
    expect(sameRows.every((r) => r.match_reason === 'same_day' && r.decision === 'skip' && r.duplicate_of)).toBe(true);
    expect((await commitBatch(owner, orgId, same.batchId)).imported).toBe(0);

    const overlapping = await previewStatement(owner, orgId, account, statement(6, 15));
    expect(overlapping.job.result).toMatchObject({ new: 5, duplicate: 5 });
    expect((await commitBatch(owner, orgId, overlapping.batchId)).imported).toBe(5);
    const booked = (await liveTransactions(owner, account)).map((t) => t.booked_on);
    expect(booked).toEqual(Array.from({ length: 15 }, (_, i) => day(i + 1)));
  });

  it('counts identical rows within one file and pairs them one to one with what the account has', async () => {
    const { owner, orgId } = household;
    const account = await createAccount(owner, orgId);
    const typed = await addTransaction(owner, {
      org_id: orgId,
      account_id: account,
      kind: 'expense',
      booked_on: '2026-06-03',
      amount_minor: 3500,
      currency: 'SEK',
      counterparty: 'Espresso House',
    });
    const csv = nordeaCsv([
      { on: '2026-06-03', amount: '-35,00', name: 'ESPRESSO HOUSE' },
      { on: '2026-06-03', amount: '-35,00', name: 'ESPRESSO HOUSE' },
    ]);
    const { batchId, job } = await previewStatement(owner, orgId, account, csv);
    expect(job.result).toMatchObject({ entries: 2, new: 1, duplicate: 1 });
    const rows = await rowsOf(owner, batchId);
    expect(rows.map((r) => [r.status, r.duplicate_of])).toEqual([
      ['duplicate', typed.id],
      ['new', null],
    ]);
    expect((await commitBatch(owner, orgId, batchId)).imported).toBe(1);
    expect((await liveTransactions(owner, account)).filter((t) => t.amount_minor === 3500)).toHaveLength(2);
  });

  it('matches a typed transaction a few days off by a similar payee, and not a different shop', async () => {
    const { owner, orgId } = household;
    const account = await createAccount(owner, orgId);
    const base = { org_id: orgId, account_id: account, kind: 'expense' as const, currency: 'SEK' };
    const ica = await addTransaction(owner, {
      ...base,
      booked_on: '2026-07-01',
      amount_minor: 24_900,
      counterparty: 'ICA',
    });
    await addTransaction(owner, {
      ...base,
      booked_on: '2026-07-01',
      amount_minor: 5_000,
      counterparty: 'Systembolaget',
    });
    const csv = nordeaCsv([
      { on: '2026-07-03', amount: '-249,00', name: 'ICA NARA KISTA 1234' },
      { on: '2026-07-02', amount: '-50,00', name: 'Apotek Hjärtat' },
      { on: '2026-07-20', amount: '-249,00', name: 'ICA NARA KISTA 1234' },
    ]);
    const { batchId } = await previewStatement(owner, orgId, account, csv);
    const rows = await rowsOf(owner, batchId);
    expect(rows.map((r) => [r.booked_on, r.status, r.match_reason, r.duplicate_of])).toEqual([
      ['2026-07-03', 'duplicate', 'near_day', ica.id],
      ['2026-07-02', 'new', null, null],
      ['2026-07-20', 'new', null, null],
    ]);
  });

  it("takes the bank's reference first, and calls a changed amount under the same reference a conflict", async () => {
    // A Finnish household, counting in euros like its OP account.
    const { owner, orgId } = await signUpHousehold('importop', { locale: 'fi' });
    const account = await createAccount(owner, orgId, { currency: 'EUR' });
    const op = (amount: string) =>
      `Kirjauspäivä;Arvopäivä;Määrä EUROA;Laji;Selitys;Saaja/Maksaja;Saajan tilinumero ja pankin BIC;Viite;Viesti;Arkistointitunnus
01.08.2026;01.08.2026;-12,40;106;KORTTIOSTO;K-Market Kamppi;;;;20260801/593497/000123
01.08.2026;01.08.2026;-12,40;106;KORTTIOSTO;K-Market Kamppi;;;;20260801/593497/000124
02.08.2026;02.08.2026;${amount};106;KORTTIOSTO;Alko;;;;20260802/593497/000200
`;
    const first = await previewStatement(owner, orgId, account, op('-30,00'));
    expect(first.job.result).toMatchObject({ new: 3 });
    expect((await rowsOf(owner, first.batchId)).map((r) => r.bank_reference)).toEqual([
      '20260801/593497/000123',
      '20260801/593497/000124',
      '20260802/593497/000200',
    ]);
    await commitBatch(owner, orgId, first.batchId);

    const changed = await previewStatement(owner, orgId, account, op('-32,00'));
    expect(changed.job.result).toMatchObject({ duplicate: 2, conflict: 1, new: 0 });
    const rows = await rowsOf(owner, changed.batchId);
    expect(rows.map((r) => [r.status, r.match_reason, r.decision])).toEqual([
      ['duplicate', 'reference', 'skip'],
      ['duplicate', 'reference', 'skip'],
      ['conflict', 'reference_amount', 'skip'],
    ]);
    const alko = (await liveTransactions(owner, account)).find((t) => t.counterparty === 'Alko');
    expect(rows[2].duplicate_of).toBe(alko?.id);
    expect(alko?.bank_reference).toBe('20260802/593497/000200');
  });

  it('commits a file previewed twice only once', async () => {
    const { owner, orgId } = household;
    const account = await createAccount(owner, orgId);
    const csv = statement(20, 24);
    const a = await previewStatement(owner, orgId, account, csv);
    const b = await previewStatement(owner, orgId, account, csv);
    expect((await commitBatch(owner, orgId, a.batchId)).imported).toBe(5);
    // b was previewed before a was committed: the commit checks again and finds them all.
    expect((await commitBatch(owner, orgId, b.batchId)).imported).toBe(0);
    expect(await liveTransactions(owner, account)).toHaveLength(5);
  });
});
