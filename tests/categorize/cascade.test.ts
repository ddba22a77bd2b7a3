import { describe, expect, it } from 'vitest';
import { categorization, categoryOf, household, spend } from './helpers.ts';

/**
 * The cascade that runs on every new transaction (Data API, import, SQL): rules, then the
 * organization's history of the payee, then the built-in Nordic merchant table. Each suggestion
 * says its stage, confidence and why; a category given with the row is the writer's and stays.
 */

describe('merchant stage', () => {
  it('files a card payment at a known Nordic chain under its default category', async () => {
    const org = await household('merchants');
    const cases: [string, string][] = [
      ['ICA NARA SOLNA', 'groceries'],
      ['K*Apotek Hjärtat Sveavägen', 'pharmacy'],
      ['SYSTEMBOLAGET 0123', 'food'],
      ['Vinmonopolet Majorstuen', 'food'],
      ['Circle K Lund', 'fuel_charging'],
      ['Spotify AB', 'streaming'],
      ['Ruter AS', 'public_transport'],
      ['Føtex Aarhus', 'groceries'],
      ['K-Citymarket Espoo', 'groceries'],
      ['Telia Sverige AB', 'internet_phone'],
    ];
    for (const [payee, key] of cases) {
      const tx = await spend(org, { counterparty: payee });
      expect({ payee, category: tx.category_id }).toEqual({ payee, category: org.categories[key] });
      const made = await categorization(tx.id);
      expect(made).toMatchObject({ stage: 'merchant', confidence: 0.8, applied: true });
      expect(made.reason).toMatch(/^known merchant "/);
    }
  });

  it('prefers the longest merchant name: ICA Banken is a bank, not a grocer', async () => {
    const org = await household('longest');
    const tx = await spend(org, { counterparty: 'ICA Banken' });
    expect(tx.category_id).toBe(org.categories.loans_fees);
  });

  it('leaves an unknown payee uncategorized and says which stages found nothing', async () => {
    const org = await household('unknown');
    const tx = await spend(org, { counterparty: 'Frisörsalong Lilla Saxen' });
    expect(tx.category_id).toBeNull();
    const made = await categorization(tx.id);
    expect(made).toMatchObject({ category_id: null, stage: null, applied: false });
    expect(made.trail.map((s: { stage: string }) => s.stage)).toEqual(['rule', 'history', 'merchant']);
  });

  it('suggests nothing for an income at a grocer: the category kind must match', async () => {
    const org = await household('kinds');
    const tx = await spend(org, { kind: 'income', counterparty: 'ICA Kvantum' });
    expect(tx.category_id).toBeNull();
  });
});

describe('history stage', () => {
  it('learns the category the household gives a payee, with counts as confidence', async () => {
    const org = await household('history');
    const first = await spend(org, { counterparty: 'Frisör Anna', category_id: org.categories.other_expense });
    expect(await categorization(first.id)).toMatchObject({ stage: 'user', applied: true });
    const second = await spend(org, { counterparty: 'FRISÖR ANNA' });
    expect(second.category_id).toBe(org.categories.other_expense);
    expect(await categorization(second.id)).toMatchObject({ stage: 'history', confidence: 0.5, applied: true });
    const third = await spend(org, { counterparty: 'Frisör Anna' });
    const made = await categorization(third.id);
    expect(made).toMatchObject({ stage: 'history', confidence: 0.667 });
    expect(made.reason).toBe('2 of 2 earlier transactions of "frisör anna" had this category');
  });

  it("follows the payee's newest 100 transactions when the household changed how it files it", async () => {
    const org = await household('newest');
    const rows = (count: number, booked_on: string, category_id: string) =>
      Array.from({ length: count }, () => ({
        org_id: org.id,
        kind: 'expense' as const,
        booked_on,
        amount_minor: 4_900,
        currency: org.currency,
        account_id: org.accountId,
        counterparty: 'Verkstad Nilsson',
        category_id,
      }));
    // 120 filed one way last year, then 60 the new way: over all 180 the old way would win.
    for (const batch of [
      rows(120, '2025-03-01', org.categories.electronics),
      rows(60, '2026-10-01', org.categories.other_expense),
    ]) {
      const { error } = await org.owner.client.from('transactions').insert(batch);
      expect(error).toBeNull();
    }
    const tx = await spend(org, { counterparty: 'Verkstad Nilsson' });
    expect(tx.category_id).toBe(org.categories.other_expense);
    const made = await categorization(tx.id);
    expect(made).toMatchObject({ stage: 'history', confidence: 0.594 });
    expect(made.reason).toBe('60 of 100 earlier transactions of "verkstad nilsson" had this category');
  });

  it('beats the merchant table when the household files a chain its own way', async () => {
    const org = await household('own-way');
    await spend(org, { counterparty: 'Clas Ohlson', category_id: org.categories.electronics });
    const tx = await spend(org, { counterparty: 'Clas Ohlson' });
    expect(tx.category_id).toBe(org.categories.electronics);
    expect((await categorization(tx.id)).stage).toBe('history');
  });
});

describe('a category the writer gave', () => {
  it("is kept, recorded as a person's choice", async () => {
    const org = await household('given');
    const tx = await spend(org, { counterparty: 'ICA Maxi', category_id: org.categories.home_furnishing });
    expect(await categoryOf(tx.id)).toBe(org.categories.home_furnishing);
    expect(await categorization(tx.id)).toMatchObject({ stage: 'user', set_by: org.owner.user.id });
  });
});
