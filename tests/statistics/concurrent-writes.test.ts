import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from '../helpers/clients.ts';
import { adminSql } from '../helpers/db.ts';
import { createAccount } from '../helpers/finance.ts';
import { addMember, createOrganization, type Organization } from '../helpers/organizations.ts';
import type { ExpenseStats } from './household.ts';

/**
 * The totals that triggers keep, against the raw rows after a storm of concurrent writes by four
 * members: recomputed here in TypeScript, independently of the SQL.
 */

describe('the kept totals under concurrent writes', () => {
  let org: Organization;
  let writers: TestUser[];

  beforeAll(async () => {
    org = await createOrganization('storm');
    writers = [
      org.owner,
      ...(await Promise.all([addMember(org, 'member'), addMember(org, 'member'), addMember(org, 'admin')])),
    ];
  });

  it('equal a fresh aggregate of the raw rows after random inserts, updates, deletes, restores, splits and currency changes', async () => {
    const owner = org.owner;
    const { data: categories } = await owner.client
      .from('categories')
      .select('id, kind, parent_id')
      .eq('org_id', org.id);
    const expenseCats = (categories ?? []).filter((c) => c.kind === 'expense').map((c) => c.id);
    const incomeCats = (categories ?? []).filter((c) => c.kind === 'income').map((c) => c.id);
    const { data: orgRow } = await owner.client.from('organizations').select('base_currency').eq('id', org.id).single();
    const base = orgRow?.base_currency as string;
    const foreign = base === 'EUR' ? 'SEK' : 'EUR';
    await owner.client.from('exchange_rates').insert(
      ['2026-01-01', '2026-02-01', '2026-03-01'].flatMap((d, i) => [
        { org_id: org.id, currency: foreign, rate_date: d, rate: 0.09 + i / 1000 },
        { org_id: org.id, currency: 'USD', rate_date: d, rate: 1.1 + i / 100 },
      ]),
    );
    // Dates within 7 days after a rate, so every currency converts.
    const dates = ['2026-01-02', '2026-01-05', '2026-02-03', '2026-02-07', '2026-03-01', '2026-03-06'];
    const accounts = await Promise.all([
      createAccount(owner, org.id, { currency: base }),
      createAccount(owner, org.id, { currency: base }),
    ]);

    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
    const live: string[] = [];
    const trashed: string[] = [];
    const outcomes: Record<string, number> = {};
    const note = (op: string, error: { code?: string } | null) => {
      const key = error ? `${op}:${error.code}` : op;
      outcomes[key] = (outcomes[key] ?? 0) + 1;
    };
    const counterparties = ['ICA', 'Coop', 'Lidl', 'Hemköp', 'Circle K', null];

    async function act(user: TestUser) {
      const roll = random();
      if (roll < 0.4 || live.length < 5) {
        const kind = random() < 0.8 ? 'expense' : random() < 0.5 ? 'income' : 'transfer';
        const { data, error } = await user.client
          .from('transactions')
          .insert({
            org_id: org.id,
            kind,
            booked_on: pick(dates),
            amount_minor: 1 + Math.floor(random() * 500000),
            currency: kind === 'transfer' ? base : pick([base, base, foreign, 'USD']),
            account_id: kind === 'transfer' || random() < 0.5 ? accounts[0] : null,
            to_account_id: kind === 'transfer' ? accounts[1] : null,
            counterparty: kind === 'transfer' ? null : pick(counterparties),
            category_id:
              kind === 'transfer' ? null : kind === 'expense' ? pick([...expenseCats, null]) : pick(incomeCats),
          })
          .select('id')
          .single();
        note('insert', error);
        if (data) live.push(data.id);
      } else if (roll < 0.6) {
        const id = pick(live);
        const change = pick([
          { booked_on: pick(dates) },
          { amount_minor: 1 + Math.floor(random() * 500000) },
          { currency: pick([base, foreign, 'USD']) },
          { counterparty: pick(counterparties) },
          { category_id: pick(expenseCats) },
        ]);
        const { error } = await user.client.from('transactions').update(change).eq('id', id);
        note('update', error);
      } else if (roll < 0.75) {
        const id = live.splice(Math.floor(random() * live.length), 1)[0];
        const { error } = await user.client.from('transactions').delete().eq('id', id);
        note('delete', error);
        if (!error) trashed.push(id);
      } else if (roll < 0.85 && trashed.length) {
        const id = trashed.splice(Math.floor(random() * trashed.length), 1)[0];
        const { error } = await user.client.rpc('restore_from_trash', { table_name: 'transactions', id });
        note('restore', error);
        if (!error) live.push(id);
      } else {
        const id = pick(live);
        const { data: t } = await user.client
          .from('transactions')
          .select('kind, amount_minor')
          .eq('id', id)
          .maybeSingle();
        if (t?.kind !== 'expense' || t.amount_minor < 3) return note('split:skipped', null);
        const first = Math.floor(t.amount_minor / 3);
        const { error } = await user.client.rpc('set_transaction_splits', {
          transaction_id: id,
          parts: [
            { category_id: pick(expenseCats), amount_minor: first },
            { category_id: pick(expenseCats), amount_minor: t.amount_minor - first },
          ],
        });
        note('split', error);
      }
    }

    await Promise.all(
      writers.map(async (user) => {
        for (let i = 0; i < 45; i++) await act(user);
      }),
    );
    expect(outcomes.insert).toBeGreaterThan(40);
    expect(outcomes.update).toBeGreaterThan(10);
    expect(outcomes.delete).toBeGreaterThan(5);
    expect(outcomes.split).toBeGreaterThan(3);

    // Recompute every total from the raw rows, here in TypeScript, independently of the SQL.
    const rows = await adminSql`
      select t.id, t.kind::text, to_char(t.booked_on, 'YYYY-MM') as month, t.amount_minor::bigint::text as amount,
             t.base_amount_minor::text as base, t.category_id, t.vendor_id, t.account_id, t.to_account_id,
             t.account_amount_minor::text as account_amount, t.to_amount_minor::text as to_amount, t.is_split,
             coalesce((select json_agg(json_build_object('category_id', s.category_id, 'amount', s.amount_minor::text) order by s.position)
                       from public.transaction_splits s where s.transaction_id = t.id), '[]') as parts
      from public.transactions t where t.org_id = ${org.id} and t.deleted_at is null`;
    const expected = new Map<string, bigint>();
    const add = (key: string, value: bigint) => expected.set(key, (expected.get(key) ?? 0n) + value);
    for (const t of rows) {
      const baseAmount = BigInt(t.base);
      if (t.kind !== 'transfer') {
        const field = t.kind === 'expense' ? 'expense' : 'income';
        const parts: { category_id: string; amount: string }[] = t.is_split ? t.parts : [];
        if (parts.length) {
          let allocated = 0n;
          parts.forEach((p, i) => {
            // round(part × base / whole), half away from zero; the last part takes the remainder.
            const share =
              i === parts.length - 1
                ? baseAmount - allocated
                : (BigInt(p.amount) * baseAmount * 2n + BigInt(t.amount)) / (2n * BigInt(t.amount));
            allocated += share;
            add(`c|${t.month}|${p.category_id}|${field}`, share);
          });
        } else {
          add(`c|${t.month}|${t.category_id ?? 'none'}|${field}`, baseAmount);
        }
        add(`v|${t.month}|${t.vendor_id ?? 'none'}|${field}`, baseAmount);
        add(`y|${t.month.slice(0, 4)}-01|${t.vendor_id ?? 'none'}|${field}`, baseAmount);
      }
      if (t.account_id)
        add(
          `a|${t.month}|${t.account_id}|net`,
          t.kind === 'income' ? BigInt(t.account_amount) : -BigInt(t.account_amount),
        );
      if (t.kind === 'transfer') add(`a|${t.month}|${t.to_account_id}|net`, BigInt(t.to_amount));
    }
    for (const [key, value] of [...expected]) if (value === 0n) expected.delete(key);
    expect(expected.size).toBeGreaterThan(20);
    const sums = async (relation: 'private.live_totals' | 'private.monthly_totals') => {
      const kept = await adminSql`
        select dimension::text, to_char(month, 'YYYY-MM') as month,
               case when key = '00000000-0000-0000-0000-000000000000' then 'none' else key::text end as key,
               sum(expense_minor)::text as expense, sum(income_minor)::text as income, sum(net_minor)::text as net
        from ${adminSql(relation)} where org_id = ${org.id} group by 1, 2, 3`;
      const actual: [string, string][] = [];
      for (const k of kept) {
        for (const field of ['expense', 'income', 'net'] as const) {
          if (BigInt(k[field]) !== 0n) actual.push([`${k.dimension}|${k.month}|${k.key}|${field}`, k[field]]);
        }
      }
      return Object.fromEntries(actual.sort());
    };
    const wanted = Object.fromEntries([...expected].map(([k, v]) => [k, v.toString()]).sort());
    // What the statistics read right after the writes: the folded totals and the lines the job
    // (every second, on the test stack too) has not folded yet; how many those are depends on
    // when it last ran, so the test above counts them in a transaction of its own.
    expect(await sums('private.live_totals')).toEqual(wanted);
    const pending = async () =>
      (await adminSql`select count(*)::int as n from private.pending_totals where org_id = ${org.id}`)[0].n;

    // The job that folds the pending lines every second moves them into the totals whole.
    const [fold] = await adminSql`select schedule, command from cron.job where jobname = 'monthly-totals-fold'`;
    expect(fold).toEqual({ schedule: '1 seconds', command: 'select private.fold_all_pending_totals()' });
    await adminSql.unsafe(fold.command);
    expect(await pending()).toBe(0);
    expect(await sums('private.monthly_totals')).toEqual(wanted);
    expect(await adminSql`select * from private.monthly_totals_drift(${org.id})`).toHaveLength(0);

    // And the statistics read them: every month's expenses equal the raw rows'.
    const { data } = await owner.client.rpc('expense_stats', { org_id: org.id, year: 2026 });
    const stats = data as unknown as ExpenseStats;
    for (const month of stats.months) {
      const raw = [...expected]
        .filter(([k]) => k.startsWith(`c|${month.month}|`) && k.endsWith('|expense'))
        .reduce((s, [, v]) => s + v, 0n);
      expect(BigInt(month.expense_minor), month.month).toBe(raw);
    }
  });
});
