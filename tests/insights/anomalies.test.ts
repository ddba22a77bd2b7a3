import { findAnomalies, modifiedZScore, type RecentExpense } from '@westwallet/shared/insights';
import { describe, expect, it } from 'vitest';
import { contract, expenseCategory, inputs, monthRange, repeat } from './inputs.ts';

const months = monthRange('2025-06', 7);
const expense = (id: string, parts: Partial<RecentExpense>): RecentExpense => ({
  transaction_id: id,
  booked_on: '2026-01-03',
  amount_minor: 49900,
  currency: 'SEK',
  base_amount_minor: parts.amount_minor ?? 49900,
  account_id: 'card',
  vendor_id: 'gym',
  counterparty: 'Friskis',
  category_id: 'sport',
  contract_id: null,
  ...parts,
});

describe('the modified z-score', () => {
  it('is 0.6745 times the distance from the median over the median absolute deviation', () => {
    // Median 100, deviations 0 2 2 1 1 0: MAD 1.
    expect(modifiedZScore(108, [100, 102, 98, 101, 99, 100])).toBeCloseTo(5.396, 10);
    expect(modifiedZScore(103, [100, 102, 98, 101, 99, 100])).toBeCloseTo(2.0235, 10);
  });

  it('falls back to the mean absolute deviation when most months are equal, and gives up without spread', () => {
    // MAD 0; mean absolute deviation 10: (200 - 100) / 12.53314.
    expect(modifiedZScore(200, [100, 100, 100, 100, 130, 70])).toBeCloseTo(7.97885, 5);
    expect(modifiedZScore(200, repeat(100, 6))).toBeNull();
  });
});

describe('anomalies', () => {
  it('finds a category month far from its own history, with its evidence and a stable key', () => {
    const data = inputs(months, {
      categories: [
        expenseCategory('groceries', [10000, 10200, 9800, 10100, 9900, 10000, 10800]),
        expenseCategory('restaurants', [10000, 10200, 9800, 10100, 9900, 10000, 10300]),
      ],
      vendors: [{ vendor_id: 'ica', name: 'ICA', expense_minor: [5000, 5000, 5000, 5100, 4900, 5000, 1000] }],
    });
    const found = findAnomalies(data);
    expect(found.map((a) => a.key)).toEqual(['category_month:groceries:2025-12', 'vendor_month:ica:2025-12']);
    expect(found[0].evidence).toEqual({
      name: 'groceries',
      amount_minor: 10800,
      median_minor: 10000,
      score: 5.4,
      direction: 'up',
      history_months: 6,
    });
    // ICA: median 5000, MAD 0 (4 of 6 equal), mean absolute deviation 33.33: (1000 - 5000) / 41.78.
    expect(found[1].evidence).toMatchObject({ direction: 'down', score: -95.75 });
    expect(findAnomalies(data)).toEqual(found);
  });

  it('finds the same charge twice within two days, not a week later nor from another account', () => {
    const data = inputs(months, {
      recent: [
        expense('t1', { booked_on: '2026-01-03' }),
        expense('t2', { booked_on: '2026-01-04' }),
        expense('t3', { booked_on: '2026-01-10' }),
        expense('t4', { booked_on: '2026-01-03', account_id: 'bank' }),
        expense('t5', { booked_on: '2026-01-03', amount_minor: 50000 }),
      ],
    });
    const found = findAnomalies(data);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      key: 'duplicate_charge:t1:t2',
      transaction_ids: ['t1', 't2'],
      evidence: { amount_minor: 49900, days_apart: 1 },
    });
  });

  it('tells payees without a vendor apart by their counterparty, case and spaces aside', () => {
    const data = inputs(months, {
      recent: [
        expense('a', { vendor_id: null, counterparty: 'Pizza  Hut' }),
        expense('b', { vendor_id: null, counterparty: 'pizza hut', booked_on: '2026-01-05' }),
        expense('c', { vendor_id: null, counterparty: 'Kebab', booked_on: '2026-01-05' }),
      ],
    });
    expect(findAnomalies(data).map((a) => a.key)).toEqual(['duplicate_charge:a:b']);
  });

  it('finds a subscription whose price went up, once per payment', () => {
    const payments = [
      { transaction_id: 'p3', booked_on: '2026-01-05', amount_minor: 12900, currency: 'SEK' },
      { transaction_id: 'p2', booked_on: '2025-12-05', amount_minor: 11900, currency: 'SEK' },
      { transaction_id: 'p1', booked_on: '2025-11-05', amount_minor: 11900, currency: 'SEK' },
    ];
    const data = inputs(months, {
      contracts: [
        contract('netflix', { payments }),
        contract('same', { payments: payments.map((p) => ({ ...p, amount_minor: 11900 })) }),
      ],
    });
    const [found, ...rest] = findAnomalies(data);
    expect(rest).toEqual([]);
    expect(found).toMatchObject({
      key: 'price_increase:netflix:p3',
      transaction_ids: ['p2', 'p3'],
      evidence: { previous_minor: 11900, new_minor: 12900, increase_minor: 1000, increase_ratio: 0.084 },
    });
  });

  it('finds a payment of five times its category average that is also a tenth of a month', () => {
    // Electronics: 200.00 a month in 2 payments, 100.00 each; months total 300.00 (median).
    const data = inputs(months, {
      categories: [
        expenseCategory('groceries', [10000, 10200, 9800, 10100, 9900, 10000, 10000]),
        expenseCategory('electronics', repeat(20000, 7), { entries: repeat(2, 7) }),
      ],
      recent: [
        expense('tv', { category_id: 'electronics', vendor_id: 'elgiganten', amount_minor: 60000 }),
        expense('cable', { category_id: 'electronics', vendor_id: 'kjell', amount_minor: 40000 }),
      ],
    });
    const found = findAnomalies(data);
    expect(found.map((a) => a.key)).toEqual(['large_payment:tv']);
    expect(found[0].evidence).toMatchObject({
      category_average_minor: 10000,
      times_average: 6,
      median_month_minor: 30000,
    });
  });

  it('finds nothing in a short or steady history', () => {
    const steady = inputs(months, { categories: [expenseCategory('rent', repeat(800000, 7))] });
    expect(findAnomalies(steady)).toEqual([]);
    const short = inputs(months.slice(0, 3), { categories: [expenseCategory('rent', [1, 1, 900000])] });
    expect(findAnomalies(short)).toEqual([]);
  });
});
