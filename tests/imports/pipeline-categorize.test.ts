import { describe, expect, it } from 'vitest';
import { type Household, household, spend } from '../categorize/helpers.ts';
import { adminSql } from '../helpers/db.ts';
import { addExchangeRate, createAccount } from '../helpers/finance.ts';
import { commitBatch, nordeaCsv, previewStatement } from './pipeline-helpers.ts';

/**
 * The commit prepares and categorizes a step's rows set-based (private.commit_import_rows), not
 * through the row triggers a typed transaction passes. What it writes must be what those triggers
 * write: two households set up alike, one types the statement's entries through the Data API,
 * the other imports them, and every imported row matches its typed twin.
 */

interface Entry {
  name: string;
  amount: string;
}

// One line per payee: a typed entry sees the ones typed before it as history, an import's step
// sees the account as it was before the step.
const entries: Entry[] = [
  { name: 'ICA Nära Kista', amount: '-245,50' }, // the vendor's default category (stays: stage user)
  { name: 'Friskis & Svettis Uppsala', amount: '-450,00' }, // a rule: category, notes, tags
  { name: 'SL Access', amount: '-970,00' }, // a rule with notes only, then the merchant table
  { name: 'Bageri Petrus', amount: '-89,00' }, // history, sure enough (2 of 2)
  { name: 'Kiosken Hörnet', amount: '-35,00' }, // history, too weak to apply (2 of 4)
  { name: 'Coop Extra Gottsunda', amount: '-612,40' }, // the merchant table
  { name: 'Okänd Firma AB', amount: '-100,00' }, // nothing knows it
  { name: 'Arbetsgivaren AB', amount: '25000,00' }, // income
];

/** The same vendor, rules and earlier transactions in each household. */
async function setUp(org: Household) {
  const { error: vendorError } = await org.owner.client
    .from('vendors')
    .insert({ org_id: org.id, name: 'ICA Nära Kista', default_category_id: org.categories.groceries });
  expect(vendorError).toBeNull();
  const rules = [
    {
      name: 'Gym',
      conditions: [{ field: 'payee', op: 'contains', value: 'friskis' }],
      set_category_id: org.categories.sports,
      set_notes: 'Membership',
      add_tags: ['health'],
    },
    { name: 'Commute', conditions: [{ field: 'payee', op: 'is', value: 'SL Access' }], set_notes: 'Commute' },
  ];
  for (const rule of rules) {
    const { error } = await org.owner.client.from('category_rules').insert({ org_id: org.id, ...rule } as never);
    expect(error).toBeNull();
  }
  for (const [counterparty, category] of [
    ['Bageri Petrus', org.categories.electronics],
    ['Bageri Petrus', org.categories.electronics],
    ['Kiosken Hörnet', org.categories.sports],
    ['Kiosken Hörnet', org.categories.sports],
    ['Kiosken Hörnet', org.categories.electronics],
    ['Kiosken Hörnet', org.categories.groceries],
  ] as const) {
    await spend(org, { counterparty, category_id: category, booked_on: '2026-10-01' });
  }
}

/** Minor units of a Nordea amount ("-245,50"). */
function minor(amount: string): number {
  return Math.round(Number(amount.replace(',', '.')) * 100);
}

/** What was written for each of the account's transactions, with ids as names and keys. */
async function written(org: Household, accountId: string) {
  const rows = await adminSql<Record<string, unknown>[]>`
    select t.counterparty, t.kind::text, t.amount_minor::int, t.currency, t.fx_rate::text, t.base_amount_minor::int,
           t.account_amount_minor::int, v.name as vendor, c.key as category, t.notes, t.reference is not null as referenced,
           t.created_by = ${org.owner.user.id}::uuid as created_by_owner,
           array(select g.name from public.transaction_tags tt join public.tags g on g.id = tt.tag_id
                 where tt.transaction_id = t.id order by g.name) as tags,
           (select k.key from public.categories k where k.id = tc.category_id) as suggested,
           tc.stage::text, tc.confidence::float8 as confidence, tc.reason, tc.applied, tc.set_by = ${org.owner.user.id}::uuid as set_by_owner,
           tc.rule_id is not null as by_rule,
           (select jsonb_agg(e - 'category_id' || jsonb_build_object('category',
                     (select k.key from public.categories k where k.id = (e ->> 'category_id')::uuid)))
            from jsonb_array_elements(tc.trail) e) as trail
    from public.transactions t
    left join public.vendors v on v.id = t.vendor_id
    left join public.categories c on c.id = t.category_id
    left join public.transaction_categorizations tc on tc.transaction_id = t.id
    where t.org_id = ${org.id} and t.account_id = ${accountId} and t.booked_on = '2026-11-20'
    order by t.counterparty`;
  return rows;
}

describe('an import’s commit', () => {
  it('writes each row as a typed transaction is written: vendor, category, notes, tags and the categorizer’s record', async () => {
    const [typed, imported] = await Promise.all([household('import-twin-typed'), household('import-twin-imported')]);
    await Promise.all([setUp(typed), setUp(imported)]);

    for (const entry of entries) {
      const amount = minor(entry.amount);
      await spend(typed, {
        kind: amount < 0 ? 'expense' : 'income',
        counterparty: entry.name,
        description: `Kortköp ${entry.name}`,
        amount_minor: Math.abs(amount),
        booked_on: '2026-11-20',
      });
    }
    // nordeaCsv writes SEK; the household keeps its books in its own base currency.
    const csv = nordeaCsv(entries.map((e) => ({ on: '2026-11-20', amount: e.amount, name: e.name }))).replaceAll(
      ';SEK;',
      `;${imported.currency};`,
    );
    const { batchId } = await previewStatement(imported.owner, imported.id, imported.accountId, csv);
    expect(await commitBatch(imported.owner, imported.id, batchId)).toMatchObject({ imported: entries.length });

    const want = await written(typed, typed.accountId);
    expect(want).toHaveLength(entries.length);
    // The cases the entries stand for, so that a change to the cascade cannot make them all alike.
    expect(Object.fromEntries(want.map((w) => [w.counterparty, [w.stage, w.category, w.notes]]))).toEqual({
      'Arbetsgivaren AB': [null, null, null],
      'Bageri Petrus': ['history', 'electronics', null],
      'Coop Extra Gottsunda': ['merchant', 'groceries', null],
      'Friskis & Svettis Uppsala': ['rule', 'sports', 'Membership'],
      'ICA Nära Kista': ['user', 'groceries', null],
      'Kiosken Hörnet': ['history', null, null],
      'Okänd Firma AB': [null, null, null],
      'SL Access': ['merchant', 'public_transport', 'Commute'],
    });
    expect(await written(imported, imported.accountId)).toEqual(want);
  });

  it('gives a row in a foreign currency its base amount from the organization’s rates', async () => {
    const [typed, imported] = await Promise.all([household('import-fx-typed'), household('import-fx-imported')]);
    const accounts: Record<string, string> = {};
    for (const org of [typed, imported]) {
      await addExchangeRate(org.owner, org.id, 'NOK', '2026-11-19', 11.4321);
      accounts[org.id] = await createAccount(org.owner, org.id, { currency: 'NOK' });
    }
    await spend(typed, {
      counterparty: 'Café Paris',
      description: 'Kortköp Café Paris',
      amount_minor: 1_250,
      currency: 'NOK',
      account_id: accounts[typed.id],
      booked_on: '2026-11-20',
    });
    const csv = nordeaCsv([{ on: '2026-11-20', amount: '-12,50', name: 'Café Paris' }]).replaceAll(';SEK;', ';NOK;');
    const { batchId } = await previewStatement(imported.owner, imported.id, accounts[imported.id], csv);
    await commitBatch(imported.owner, imported.id, batchId);

    const want = await written(typed, accounts[typed.id]);
    expect(want).toMatchObject([{ currency: 'NOK', amount_minor: 1_250, base_amount_minor: 14_290 }]);
    expect(await written(imported, accounts[imported.id])).toEqual(want);
  });
});
