import { describe, expect, it } from 'vitest';
import { adminSql } from '../helpers/db.ts';
import { categorization, categoryOf, type Household, household, spend } from './helpers.ts';

/**
 * The organization's rules: conditions on payee, text, amount, account and kind; actions setting
 * category, vendor, tags and notes; before/default/after stages. They run on every new
 * transaction, and over existing ones with a preview first; a person's category always stays.
 */

async function addRule(org: Household, rule: Record<string, unknown>) {
  const { data, error } = await org.owner.client
    .from('category_rules')
    .insert({ org_id: org.id, name: `rule ${Math.random().toString(36).slice(2, 7)}`, ...rule } as never)
    .select('id')
    .single();
  if (error) throw new Error(`rule insert failed: ${error.code} ${error.message} ${error.details}`);
  return data.id as string;
}

describe('rules on new transactions', () => {
  it('sets category, notes and tags when every condition holds, and says which rule did', async () => {
    const org = await household('rules');
    await addRule(org, {
      name: 'Gym',
      conditions: [
        { field: 'payee', op: 'contains', value: 'friskis' },
        { field: 'amount', op: 'between', value: [10_000, 60_000] },
        { field: 'kind', op: 'is', value: 'expense' },
      ],
      set_category_id: org.categories.sports,
      set_notes: 'Membership',
      add_tags: ['health', 'fixed'],
    });
    const hit = await spend(org, { counterparty: 'Friskis & Svettis Uppsala', amount_minor: 45_000 });
    expect(hit).toMatchObject({ category_id: org.categories.sports, notes: 'Membership' });
    expect(await categorization(hit.id)).toMatchObject({ stage: 'rule', confidence: 1, reason: 'rule "Gym"' });
    const tags = await adminSql`select g.name from public.transaction_tags t join public.tags g on g.id = t.tag_id
                                where t.transaction_id = ${hit.id} order by g.name`;
    expect(tags.map((t) => t.name)).toEqual(['fixed', 'health']);

    const tooDear = await spend(org, { counterparty: 'Friskis & Svettis Uppsala', amount_minor: 90_000 });
    expect(tooDear.notes).toBeNull();
    expect((await categorization(tooDear.id)).stage).not.toBe('rule');
  });

  it('runs before, default and after stages in order: a later action wins', async () => {
    const org = await household('stages');
    await addRule(org, {
      stage: 'after',
      conditions: [{ field: 'text', op: 'matches', value: '^(kvitto|receipt) [0-9]+' }],
      set_category_id: org.categories.electronics,
    });
    await addRule(org, {
      stage: 'before',
      conditions: [{ field: 'payee', op: 'one_of', value: ['Teknikmagasinet', 'Kjell & Company'] }],
      set_category_id: org.categories.home_furnishing,
      set_notes: 'from the before rule',
    });
    const tx = await spend(org, { counterparty: 'KJELL & COMPANY', description: 'Kvitto 8812' });
    expect(tx).toMatchObject({ category_id: org.categories.electronics, notes: 'from the before rule' });
  });

  it('keeps a category given with the row, while still running the other actions', async () => {
    const org = await household('rule-given');
    await addRule(org, {
      conditions: [{ field: 'payee', op: 'is', value: 'Bolagsverket' }],
      set_category_id: org.categories.loans_fees,
      set_notes: 'Fee',
    });
    const tx = await spend(org, { counterparty: 'Bolagsverket', category_id: org.categories.other_expense });
    expect(tx).toMatchObject({ category_id: org.categories.other_expense, notes: 'Fee' });
  });

  it('refuses malformed rules with RULE_INVALID', async () => {
    const org = await household('rule-invalid');
    const bad = [
      { conditions: [], set_notes: 'x' },
      { conditions: [{ field: 'colour', op: 'is', value: 'red' }], set_notes: 'x' },
      { conditions: [{ field: 'amount', op: 'contains', value: 5 }], set_notes: 'x' },
      { conditions: [{ field: 'amount', op: 'between', value: [1] }], set_notes: 'x' },
      { conditions: [{ field: 'amount', op: 'is', value: 1.5 }], set_notes: 'x' },
      { conditions: [{ field: 'payee', op: 'matches', value: '(' }], set_notes: 'x' },
      { conditions: [{ field: 'kind', op: 'is', value: 'transfer' }], set_notes: 'x' },
      { conditions: [{ field: 'payee', op: 'is', value: 'ICA' }] },
    ];
    for (const rule of bad) {
      const { error } = await org.owner.client
        .from('category_rules')
        .insert({ org_id: org.id, name: 'bad', ...rule } as never);
      expect({ rule, code: error?.code, message: error?.message }).toEqual({
        rule,
        code: 'PT400',
        message: 'RULE_INVALID',
      });
    }
  });
});

describe('rules over existing transactions', () => {
  it("previews what would change, then applies exactly that, leaving people's categories", async () => {
    const org = await household('retro');
    const merchantFiled = await spend(org, { counterparty: 'Hornbach Kungens Kurva' });
    const unknown = await spend(org, { counterparty: 'Hornbach Order 77' });
    const personal = await spend(org, {
      counterparty: 'Hornbach Kungens Kurva',
      category_id: org.categories.electronics,
    });
    expect(merchantFiled.category_id).toBe(org.categories.home_maintenance);

    const ruleId = await addRule(org, {
      conditions: [{ field: 'payee', op: 'contains', value: 'hornbach' }],
      set_category_id: org.categories.home_furnishing,
    });
    const preview = await org.owner.client.rpc('preview_category_rules', { org_id: org.id, rule_id: ruleId });
    expect(preview.error).toBeNull();
    expect(preview.data?.map((r) => r.transaction_id).sort()).toEqual([merchantFiled.id, unknown.id].sort());
    expect(preview.data?.[0]).toMatchObject({ new_category_id: org.categories.home_furnishing });

    const applied = await org.owner.client.rpc('apply_category_rules', { org_id: org.id });
    expect(applied).toMatchObject({ data: 2, error: null });
    expect(await categoryOf(merchantFiled.id)).toBe(org.categories.home_furnishing);
    expect(await categoryOf(unknown.id)).toBe(org.categories.home_furnishing);
    expect(await categoryOf(personal.id)).toBe(org.categories.electronics);
    expect(await categorization(unknown.id)).toMatchObject({ stage: 'rule', applied: true });
    const again = await org.owner.client.rpc('preview_category_rules', { org_id: org.id });
    expect(again.data).toEqual([]);
  });

  it("refuses another organization's preview and apply", async () => {
    const [org, outsider] = await Promise.all([household('retro-org'), household('retro-outsider')]);
    for (const fn of ['preview_category_rules', 'apply_category_rules'] as const) {
      const refused = await outsider.owner.client.rpc(fn, { org_id: org.id });
      expect(refused.error?.code).toMatch(/^PT40[34]$/);
    }
  });
});

describe('corrections', () => {
  it("remembers a person changing the categorizer's choice and offers a rule after two", async () => {
    const org = await household('corrections');
    const first = await spend(org, { counterparty: 'Clas Ohlson Täby' });
    const second = await spend(org, { counterparty: 'Clas Ohlson Täby' });
    expect(first.category_id).toBe(org.categories.home_furnishing);
    for (const tx of [first, second]) {
      const { error } = await org.owner.client
        .from('transactions')
        .update({ category_id: org.categories.electronics })
        .eq('id', tx.id);
      expect(error).toBeNull();
    }
    const corrections = await org.owner.client.from('category_corrections').select('*').eq('org_id', org.id);
    expect(corrections.data).toHaveLength(2);
    expect(corrections.data?.[0]).toMatchObject({
      payee_key: 'clas ohlson täby',
      to_category_id: org.categories.electronics,
      corrected_by: org.owner.user.id,
    });
    expect(await categorization(first.id)).toMatchObject({ stage: 'user', set_by: org.owner.user.id });

    const offers = await org.owner.client.from('category_rule_offers').select('*').eq('org_id', org.id);
    expect(offers.error).toBeNull();
    expect(offers.data).toEqual([
      expect.objectContaining({
        payee_key: 'clas ohlson täby',
        category_id: org.categories.electronics,
        corrections: 2,
      }),
    ]);
    // The corrections teach the history stage too: the next one is filed the person's way.
    const third = await spend(org, { counterparty: 'Clas Ohlson Täby' });
    expect(third.category_id).toBe(org.categories.electronics);

    // Taking the offer: a rule with its payee condition, and the offer goes away.
    await addRule(org, {
      conditions: [{ field: 'payee', op: 'is', value: 'clas ohlson täby' }],
      set_category_id: org.categories.electronics,
    });
    const after = await org.owner.client.from('category_rule_offers').select('*').eq('org_id', org.id);
    expect(after.data).toEqual([]);
  });
});
