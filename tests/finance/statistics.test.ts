import { beforeAll, describe, expect, it } from 'vitest';
import { signUpUser, type TestUser } from '../helpers/clients.ts';
import { adminSql, rolledBack } from '../helpers/db.ts';
import { addTransaction, categoryId, createAccount } from '../helpers/finance.ts';
import { addMember, createOrganization, type Organization } from '../helpers/organizations.ts';

/**
 * expense_stats() and dashboard() read totals that triggers keep; these tests check the answers
 * against hand-computed figures, and the kept totals against the raw rows after a storm of
 * concurrent writes.
 */

interface ExpenseStats {
  year: number;
  currency: string;
  months: { month: string; income_minor: number; expense_minor: number; difference_minor: number }[];
  categories: {
    category_id: string | null;
    key: string | null;
    expense_by_month_minor: number[];
    income_by_month_minor: number[];
  }[];
  totals: { income_minor: number; expense_minor: number; difference_minor: number };
}

describe('expense_stats and dashboard', () => {
  let owner: TestUser;
  let orgId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    owner = await signUpUser('stats', { locale: 'sv' });
    const { data } = await owner.client.from('organizations').select('id').limit(1).single();
    orgId = data?.id as string;
    for (const key of ['groceries', 'restaurants', 'food', 'salary', 'streaming'])
      ids[key] = await categoryId(owner, orgId, key);
    await owner.client.from('categories').update({ monthly_budget_minor: 400000 }).eq('id', ids.food);
    await owner.client
      .from('exchange_rates')
      .insert({ org_id: orgId, currency: 'EUR', rate_date: '2026-02-01', rate: 11.25 });
    const base = { org_id: orgId, currency: 'SEK' } as const;
    await owner.client.from('transactions').insert([
      {
        ...base,
        kind: 'income',
        booked_on: '2026-01-25',
        amount_minor: 3500000,
        category_id: ids.salary,
        counterparty: 'Arbetsgivaren',
      },
      {
        ...base,
        kind: 'income',
        booked_on: '2026-02-25',
        amount_minor: 3500000,
        category_id: ids.salary,
        counterparty: 'Arbetsgivaren',
      },
      {
        ...base,
        kind: 'expense',
        booked_on: '2026-01-05',
        amount_minor: 120000,
        category_id: ids.groceries,
        counterparty: 'ICA Kvantum',
      },
      {
        ...base,
        kind: 'expense',
        booked_on: '2026-01-19',
        amount_minor: 80000,
        category_id: ids.groceries,
        counterparty: 'Coop',
      },
      {
        ...base,
        kind: 'expense',
        booked_on: '2026-02-02',
        amount_minor: 250000,
        category_id: ids.groceries,
        counterparty: 'ICA Kvantum',
      },
      {
        ...base,
        kind: 'expense',
        booked_on: '2026-02-14',
        amount_minor: 65000,
        category_id: ids.restaurants,
        counterparty: 'Pizzeria Napoli',
      },
      {
        org_id: orgId,
        currency: 'EUR',
        kind: 'expense',
        booked_on: '2026-02-03',
        amount_minor: 1399,
        category_id: ids.streaming,
        counterparty: 'Spotify',
      },
      { ...base, kind: 'expense', booked_on: '2026-03-01', amount_minor: 9900, counterparty: 'Kiosken' },
      // Another year and the trash stay out.
      { ...base, kind: 'expense', booked_on: '2025-12-31', amount_minor: 77700, category_id: ids.groceries },
    ]);
    const gone = await addTransaction(owner, {
      ...base,
      kind: 'expense',
      booked_on: '2026-01-07',
      amount_minor: 55500,
      category_id: ids.groceries,
    });
    await owner.client.from('transactions').delete().eq('id', gone.id);
  });

  it('gives a year per month and category in the base currency', async () => {
    const { data, error } = await owner.client.rpc('expense_stats', { org_id: orgId, year: 2026 });
    expect(error).toBeNull();
    const stats = data as unknown as ExpenseStats;
    expect(stats.currency).toBe('SEK');
    expect(stats.months).toHaveLength(12);
    // 13.99 EUR × 11.25 = 157.3875 SEK → 15739 öre.
    expect(stats.months.slice(0, 4)).toEqual([
      { month: '2026-01', income_minor: 3500000, expense_minor: 200000, difference_minor: 3300000 },
      {
        month: '2026-02',
        income_minor: 3500000,
        expense_minor: 250000 + 65000 + 15739,
        difference_minor: 3500000 - 330739,
      },
      { month: '2026-03', income_minor: 0, expense_minor: 9900, difference_minor: -9900 },
      { month: '2026-04', income_minor: 0, expense_minor: 0, difference_minor: 0 },
    ]);
    const byKey = new Map(stats.categories.map((c) => [c.key ?? 'uncategorized', c]));
    expect(byKey.get('groceries')?.expense_by_month_minor).toEqual([200000, 250000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(byKey.get('salary')?.income_by_month_minor.slice(0, 3)).toEqual([3500000, 3500000, 0]);
    expect(byKey.get('uncategorized')).toMatchObject({
      category_id: null,
      expense_by_month_minor: [0, 0, 9900, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    });
    expect(stats.totals).toEqual({ income_minor: 7000000, expense_minor: 540639, difference_minor: 7000000 - 540639 });
  });

  it('sums whole months for the dashboard: vendors, budgets, fixed against variable', async () => {
    const { data, error } = await owner.client.rpc('dashboard', {
      org_id: orgId,
      from_date: '2026-01-10',
      to_date: '2026-02-20',
    });
    expect(error).toBeNull();
    const board = data as Record<string, unknown> & {
      top_vendors: { name: string; expense_minor: number }[];
      budgets: { category_id: string; budget_minor: number; actual_minor: number; remaining_minor: number }[];
    };
    expect(board).toMatchObject({
      from: '2026-01-01',
      to: '2026-02-28',
      months: 2,
      currency: 'SEK',
      income_minor: 7000000,
      expense_minor: 530739,
      difference_minor: 7000000 - 530739,
      fixed_expense_minor: 0,
      variable_expense_minor: 530739,
    });
    // Linking Spotify's payment to its subscription makes it a fixed cost.
    const { data: contract } = await owner.client
      .from('contracts')
      .insert({ org_id: orgId, name: 'Spotify Family', amount_minor: 1399, currency: 'EUR', starts_on: '2025-06-01' })
      .select('id')
      .single();
    await owner.client
      .from('transactions')
      .update({ contract_id: contract?.id })
      .eq('org_id', orgId)
      .eq('counterparty', 'Spotify');
    const fixed = await owner.client.rpc('dashboard', {
      org_id: orgId,
      from_date: '2026-01-10',
      to_date: '2026-02-20',
    });
    expect(fixed.data).toMatchObject({
      expense_minor: 530739,
      fixed_expense_minor: 15739,
      variable_expense_minor: 530739 - 15739,
    });
    expect(board.top_vendors.map((v) => [v.name, v.expense_minor])).toEqual([
      ['ICA Kvantum', 370000],
      ['Coop', 80000],
      ['Pizzeria Napoli', 65000],
      ['Spotify', 15739],
    ]);
    // Food's budget covers its subcategories: 2 months × 4,000 SEK against groceries + restaurants.
    expect(board.budgets).toEqual([
      expect.objectContaining({
        category_id: ids.food,
        budget_minor: 800000,
        actual_minor: 515000,
        remaining_minor: 285000,
      }),
    ]);
  });

  it('count a write the moment it is made, before the job folds its lines into the totals', async () => {
    const claims = JSON.stringify({ sub: owner.user.id, role: 'authenticated', aud: 'authenticated' });
    const read = async (sql: Parameters<Parameters<typeof rolledBack>[0]>[0]) => {
      const [{ stats, board, balances }] = await sql`
        select public.expense_stats(${orgId}, 2026) as stats,
               public.dashboard(${orgId}, '2026-03-01', '2026-03-31') as board,
               (select json_agg(b) from public.account_balances(${orgId}) b) as balances`;
      return {
        march: (stats as ExpenseStats).months[2].expense_minor,
        vendor: (board as { by_vendor: { name: string; expense_minor: number }[] }).by_vendor.find(
          (v) => v.name === 'Pendelkiosken',
        )?.expense_minor,
        balance: (balances as { account_id: string; balance_minor: number }[]).find((b) => b.account_id === account)
          ?.balance_minor,
      };
    };
    const account = await createAccount(owner, orgId, { name: 'Kiosk card', currency: 'SEK' });
    const seen = await rolledBack(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
      const before = await read(tx);
      // Uncommitted, so no fold can have moved it: the readers find it among the pending lines.
      await tx`insert into public.transactions (org_id, kind, booked_on, amount_minor, currency, account_id, category_id, counterparty)
               values (${orgId}, 'expense', '2026-03-10', 12345, 'SEK', ${account}, ${ids.groceries}, 'Pendelkiosken')`;
      const after = await read(tx);
      await tx`select set_config('role', 'postgres', true)`;
      const [{ pending }] =
        await tx`select count(*)::int as pending from private.pending_totals where org_id = ${orgId}`;
      return { before, after, pending };
    });
    expect(seen.pending).toBeGreaterThan(0);
    expect(seen.after.march - seen.before.march).toBe(12345);
    expect(seen.before.vendor).toBeUndefined();
    expect(seen.after.vendor).toBe(12345);
    expect((seen.before.balance ?? 0) - (seen.after.balance ?? 0)).toBe(12345);
  });

  it('are for members only, and validate their input', async () => {
    const outsider = await signUpUser('statsout');
    expect((await outsider.client.rpc('expense_stats', { org_id: orgId, year: 2026 })).error?.message).toBe(
      'NOT_A_MEMBER',
    );
    expect((await owner.client.rpc('expense_stats', { org_id: orgId, year: 20260 })).error?.message).toBe(
      'VALIDATION_FAILED',
    );
    const backwards = await owner.client.rpc('dashboard', {
      org_id: orgId,
      from_date: '2026-03-01',
      to_date: '2026-01-01',
    });
    expect(backwards.error?.message).toBe('VALIDATION_FAILED');
  });
});

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
