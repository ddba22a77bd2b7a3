import type { Forecast, ScoreReport, WhatIf } from '@westwallet/shared/insights';
import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { addContract } from '../helpers/contracts.ts';
import { categoryIds, createAccount } from '../helpers/finance.ts';
import { householdWithMembers } from '../helpers/organizations.ts';
import { insights } from './helpers.ts';

// A household with December 2025 to June 2026 booked: 30,000.00 salary a month, groceries of
// 3,000.00, 3,100.00, 2,900.00, 3,000.00, 3,050.00, 2,950.00 and then 4,500.00 in June; the same
// 450.00 charged twice at ICA in July; a 99.00 streaming contract paid on month ends; 15,000.00
// in the bank. The insights are asked for as of 2026-07-10.
const AS_OF = '2026-07-10';
const months = ['2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06'];
const groceries = [300000, 310000, 290000, 300000, 305000, 295000, 450000];

let owner: TestUser;
let viewer: TestUser;
let orgId: string;
let ids: Record<string, string>;
let streaming: string;
let duplicates: string[];

beforeAll(async () => {
  const household = await householdWithMembers('insights');
  ({ owner, viewer, orgId } = household);
  ids = await categoryIds(owner, orgId);
  await createAccount(owner, orgId, { kind: 'bank', opening_balance_minor: 1500000 });
  const base = { org_id: orgId, currency: 'SEK' } as const;
  const { error } = await owner.client.from('transactions').insert(
    months.flatMap((month, i) => [
      { ...base, kind: 'income' as const, booked_on: `${month}-25`, amount_minor: 3000000, category_id: ids.salary },
      {
        ...base,
        kind: 'expense' as const,
        booked_on: `${month}-10`,
        amount_minor: groceries[i],
        category_id: ids.groceries,
      },
    ]),
  );
  if (error) throw new Error(`transactions: ${error.message}`);
  const { data: twice, error: twiceError } = await owner.client
    .from('transactions')
    .insert(
      ['2026-07-02', '2026-07-03'].map((booked_on) => ({
        ...base,
        kind: 'expense' as const,
        booked_on,
        amount_minor: 45000,
        category_id: ids.groceries,
        counterparty: 'ICA Nära',
      })),
    )
    .select('id, booked_on')
    .order('booked_on');
  if (twiceError) throw new Error(`duplicates: ${twiceError.message}`);
  duplicates = twice.map((t) => t.id);
  streaming = (
    await addContract(owner, orgId, {
      name: 'Streaming',
      category_id: ids.streaming,
      amount_minor: 9900,
      starts_on: '2026-01-31',
    })
  ).id;
});

describe('POST /functions/v1/insights', () => {
  it('forecasts categories from their history and contracts from their schedules', async () => {
    const { status, data } = await insights<Forecast>(owner, {
      kind: 'forecast',
      org_id: orgId,
      as_of: AS_OF,
      months: 2,
    });
    expect(status).toBe(200);
    expect(data?.months).toEqual(['2026-08', '2026-09']);
    // Mean of the 7 months 3,214.29; errors' R-7 10th percentile -284.29, 90th +445.71.
    const g = data?.categories.find((c) => c.category_id === ids.groceries);
    expect(g?.expense[0]).toEqual({ month: '2026-08', point_minor: 321429, low_minor: 293000, high_minor: 366000 });
    expect(data?.categories.find((c) => c.category_id === ids.streaming)?.contracts_minor).toEqual([9900, 9900]);
    expect(data?.total.expense[1]).toEqual({
      month: '2026-09',
      point_minor: 331329,
      low_minor: 302900,
      high_minor: 375900,
    });
    expect(data?.total.income[0]).toMatchObject({ point_minor: 3000000, low_minor: 3000000, high_minor: 3000000 });
  });

  it('scores the household and tips its weakest component', async () => {
    const { data } = await insights<ScoreReport>(viewer, { kind: 'score', org_id: orgId, as_of: AS_OF });
    // Spending 0.1071 and savings 0.8929 -> 100; buffer 15,000.00 / 3,214.29 = 4.6667 months -> 78;
    // no debt -> 100; fixed 99.00 of 30,000.00 -> 100; volatility 0.1644 -> 84; no linked bills:
    // (100*20 + 100*15 + 78*20 + 100*15 + 100*10 + 84*10) / 90 = 93.33.
    expect(data?.score).toBe(93);
    expect(data?.components.find((c) => c.name === 'buffer_months')).toMatchObject({ value: 4.6667, score: 78 });
    expect(data?.components.find((c) => c.name === 'bills_on_time')).toMatchObject({ value: null, score: null });
    expect(data?.tip?.component).toBe('buffer_months');
    expect(data?.trend).toHaveLength(6);
  });

  it('finds anomalies and stores each once', async () => {
    const first = await insights<{ anomalies: { key: string; new: boolean }[] }>(owner, {
      kind: 'anomalies',
      org_id: orgId,
      as_of: AS_OF,
    });
    // June's groceries: median 3,000.00, MAD 50.00: 0.6745 * 1,500.00 / 50.00 = 20.24.
    const expected = [`category_month:${ids.groceries}:2026-06`, `duplicate_charge:${duplicates[0]}:${duplicates[1]}`];
    expect(first.data?.anomalies.map((a) => [a.key, a.new])).toEqual(expected.map((key) => [key, true]));
    const again = await insights<{ anomalies: { key: string; new: boolean }[] }>(viewer, {
      kind: 'anomalies',
      org_id: orgId,
      as_of: AS_OF,
    });
    expect(again.data?.anomalies.map((a) => a.new)).toEqual([false, false]);
    const { data: stored } = await viewer.client
      .from('insight_anomalies')
      .select('key, kind, evidence, notified_at')
      .eq('org_id', orgId)
      .order('key');
    expect(stored?.map((row) => row.key)).toEqual(expected);
    expect(stored?.[0]).toMatchObject({ kind: 'category_month', evidence: { score: 20.24 } });
    // Each told once, when first stored: the second call found them again and told nobody.
    expect(stored?.every((row) => row.notified_at !== null)).toBe(true);
    const { data: told } = await owner.client
      .from('notifications')
      .select('title, data')
      .eq('org_id', orgId)
      .eq('kind', 'anomaly_found');
    const titles = (told ?? []).map((n) => [(n.data as { kind: string }).kind, n.title]);
    expect(titles.sort()).toEqual([
      ['category_month', expect.stringMatching(/^(Unusual|Ovanligt): /)],
      ['duplicate_charge', expect.stringMatching(/^(Unusual|Ovanligt): /)],
    ]);
  });

  it('lets no member write anomalies through the Data API', async () => {
    const { error } = await owner.client
      .from('insight_anomalies')
      .insert({ org_id: orgId, key: 'forged', kind: 'large_payment', concerns_on: '2026-07-01', evidence: {} });
    expect(error?.code).toBe('42501');
  });

  it('projects a what-if against the baseline', async () => {
    const { data } = await insights<WhatIf>(owner, {
      kind: 'what_if',
      org_id: orgId,
      as_of: AS_OF,
      scenario: { cancel_contract_ids: [streaming], one_off: [{ name: 'Bike', amount_minor: 500000, month: 2 }] },
    });
    // Twelve 99.00 payments saved, one 5,000.00 purchase.
    expect(data?.difference.net_minor).toBe(12 * 9900 - 500000);
    const [scenario, baseline] = [data?.scenario.months[1], data?.baseline.months[1]];
    expect((scenario?.expense_minor ?? 0) - (baseline?.expense_minor ?? 0)).toBe(500000 - 9900);
  });

  it('answers bad input and strangers with stable codes', async () => {
    const stranger = await signUpUser('insightsstranger');
    expect(await insights(stranger, { kind: 'score', org_id: orgId })).toMatchObject({
      status: 403,
      code: 'NOT_A_MEMBER',
    });
    expect(await insights(owner, { kind: 'forecast', org_id: orgId, months: 13 })).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(await insights(owner, { kind: 'guess', org_id: orgId })).toMatchObject({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(
      await insights(owner, {
        kind: 'what_if',
        org_id: orgId,
        scenario: { cancel_contract_ids: ['6f1d2c3b-0000-4000-8000-000000000000'] },
      }),
    ).toMatchObject({ status: 404, code: 'CONTRACT_NOT_FOUND' });
    expect(await insights(owner, { kind: 'score', org_id: orgId, as_of: '3000-01-01' })).toMatchObject({
      status: 400,
      code: 'DATE_OUT_OF_RANGE',
    });
  });
});
