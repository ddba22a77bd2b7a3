import { csvColumns, csvHeader, formatMinor, transactionRecords } from '@westwallet/shared/exports';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { addTransaction, categoryIds } from '../helpers/finance.ts';
import { signUpHousehold } from '../helpers/organizations.ts';
import { readTransactions } from './readers.ts';

describe('CSV export of transactions', () => {
  it('parses back to the rows search_transactions returns, across pages, in the locale format', async () => {
    const { owner, orgId } = await signUpHousehold('csvexport');
    const ids = await categoryIds(owner, orgId);
    const base = { org_id: orgId, currency: 'SEK' } as const;
    await addTransaction(owner, {
      ...base,
      kind: 'expense',
      booked_on: '2026-03-02',
      amount_minor: 123456,
      category_id: ids.groceries,
      counterparty: 'Åhléns; "City"',
      description: 'Line one\nline two, with comma',
      notes: 'Ünïcödé ✓',
    });
    const split = await addTransaction(owner, {
      ...base,
      kind: 'expense',
      booked_on: '2026-03-03',
      amount_minor: 30000,
      counterparty: 'ICA',
    });
    const parts = [
      { category_id: ids.groceries, amount_minor: 20000, note: 'food' },
      { category_id: ids.restaurants, amount_minor: 10000, note: null },
    ];
    const splitResult = await owner.client.rpc('set_transaction_splits', { transaction_id: split.id, parts });
    expect(splitResult.error).toBeNull();
    const { data: tag } = await owner.client
      .from('tags')
      .insert({ org_id: orgId, name: 'Semester' })
      .select('id')
      .single();
    await owner.client
      .from('transaction_tags')
      .insert({ org_id: orgId, transaction_id: split.id, tag_id: tag?.id as string });
    await addTransaction(owner, {
      ...base,
      kind: 'income',
      booked_on: '2026-03-25',
      amount_minor: 5,
      counterparty: 'Bank',
    });
    await addTransaction(owner, {
      ...base,
      currency: 'JPY',
      fx_rate: 0.07,
      kind: 'expense',
      booked_on: '2026-03-04',
      amount_minor: 1500,
    });
    for (let i = 0; i < 4; i++) {
      await addTransaction(owner, { ...base, kind: 'expense', booked_on: '2026-03-01', amount_minor: 100 + i });
    }

    const pages = await readTransactions(owner.user.id, orgId, {}, 3);
    expect(pages.length).toBe(3);
    const csv =
      csvHeader({ locale: 'sv', bom: true }) +
      pages.map((p) => transactionRecords(p, { locale: 'sv', bom: true })).join('');
    expect(csv.startsWith('\ufeffReference;Date;')).toBe(true);

    const records: string[][] = parse(csv, { delimiter: ';', bom: true, relax_column_count: false });
    expect(records[0]).toEqual([...csvColumns]);
    const { data: api, error } = await owner.client.rpc('search_transactions', { org_id: orgId, max_rows: 100 });
    expect(error).toBeNull();
    const body = records.slice(1);
    expect(body.map((r) => r[0])).toEqual(api?.map((t) => t.reference));
    for (const [i, t] of (api ?? []).entries()) {
      const r = body[i];
      expect(r[1]).toBe(t.booked_on);
      expect(r[2]).toBe(t.kind);
      expect(r[3]).toBe(
        formatMinor(t.amount_minor, t.currency === 'JPY' ? 0 : 2, { decimalMark: ',', groupSeparator: '' }),
      );
      expect(r[4]).toBe(t.currency);
      expect(r[5]).toBe(formatMinor(t.base_amount_minor, 2, { decimalMark: ',', groupSeparator: '' }));
      expect(r[12]).toBe(t.counterparty ?? '');
      expect(r[13]).toBe(t.description ?? '');
      expect(r[14]).toBe(t.notes ?? '');
    }
    const first = body.find((r) => r[12] === 'Åhléns; "City"');
    expect(first?.slice(3, 4)).toEqual(['1234,56']);
    expect(first?.[13]).toBe('Line one\nline two, with comma');
    const splitRow = body.find((r) => r[0] === split.reference);
    expect(splitRow?.[16]).toBe('Semester');
    expect(splitRow?.[17]).toMatch(/ 200,00 \(food\) \| .* 100,00$/);
    expect(body.find((r) => r[4] === 'JPY')?.[3]).toBe('1500');
    expect(body.find((r) => r[12] === 'Bank')?.[3]).toBe('0,05');
  });

  it('applies the search_transactions filters and writes , and . for English', async () => {
    const { owner, orgId } = await signUpHousehold('csvfilter');
    const base = { org_id: orgId, currency: 'SEK' } as const;
    await addTransaction(owner, {
      ...base,
      kind: 'expense',
      booked_on: '2026-04-01',
      amount_minor: 1000,
      counterparty: 'Hardware, Inc',
    });
    await addTransaction(owner, {
      ...base,
      kind: 'income',
      booked_on: '2026-04-02',
      amount_minor: 2000,
      counterparty: 'Salary',
    });
    await addTransaction(owner, { ...base, kind: 'expense', booked_on: '2026-05-01', amount_minor: 3000 });
    const filters = { kind: 'expense', from_date: '2026-04-01', to_date: '2026-04-30' };
    const rows = (await readTransactions(owner.user.id, orgId, filters, 500)).flat();
    const { data: api } = await owner.client.rpc('search_transactions', { org_id: orgId, ...filters, kind: 'expense' });
    expect(rows.map((r) => r.reference)).toEqual(api?.map((t) => t.reference));
    const records: string[][] = parse(
      csvHeader({ locale: 'en', bom: false }) + transactionRecords(rows, { locale: 'en', bom: false }),
    );
    expect(records.slice(1).map((r) => [r[3], r[12]])).toEqual([['10.00', 'Hardware, Inc']]);
  });

  it('shows a member of another organization nothing', async () => {
    const { owner, orgId } = await signUpHousehold('csvowner');
    await addTransaction(owner, {
      org_id: orgId,
      currency: 'SEK',
      kind: 'expense',
      booked_on: '2026-04-01',
      amount_minor: 1000,
    });
    const stranger = await signUpHousehold('csvstranger');
    expect((await readTransactions(stranger.owner.user.id, orgId, {}, 500)).flat()).toEqual([]);
  });
});
